import {
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  ListGrantsCommand,
  ListKeyRotationsCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import { useSandbox } from "../support/sandbox";

const { sandbox, kms } = useSandbox();

const newKey = async () => (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;

describe("rotation", () => {
  test("EnableKeyRotation with a period answers at once in GetKeyRotationStatus (Terraform polls it)", async () => {
    const key = await newKey();
    const before = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(before).toMatchObject({ KeyRotationEnabled: false, KeyId: key.Arn });
    expect(before.RotationPeriodInDays).toBeUndefined();
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 180 }));
    const after = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(after).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180 });
    const days = (after.NextRotationDate!.getTime() - key.CreationDate!.getTime()) / 86_400_000;
    expect(Math.round(days)).toBe(180);
    await kms.send(new DisableKeyRotationCommand({ KeyId: key.KeyId }));
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(
      false,
    );
  });

  test("RotationPeriodInDays must be 90..2560", async () => {
    const key = await newKey();
    await expect(
      kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 89 })),
    ).rejects.toMatchObject({
      name: "ValidationException",
      message:
        "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90",
    });
    await expect(
      kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 2561 })),
    ).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("Member must have value less than or equal to 2560"),
    });
  });

  test("only symmetric keys rotate; imported ones not automatically", async () => {
    const ecc = await kms.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" }));
    await expect(
      kms.send(new EnableKeyRotationCommand({ KeyId: ecc.KeyMetadata!.KeyId })),
    ).rejects.toMatchObject({
      name: "UnsupportedOperationException",
    });
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: ecc.KeyMetadata!.KeyId }));
    expect(status.KeyRotationEnabled).toBe(false);
    const external = await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
    await expect(
      kms.send(new EnableKeyRotationCommand({ KeyId: external.KeyMetadata!.KeyId })),
    ).rejects.toMatchObject({
      name: "UnsupportedOperationException",
      message: `${external.KeyMetadata!.Arn} origin is EXTERNAL which is not valid for this operation.`,
    });
  });

  test("when the clock passes the rotation date the key rotates; old ciphertexts still decrypt", async () => {
    const key = await newKey();
    const sealed = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from("before") }));
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    const firstMaterial = (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!
      .CurrentKeyMaterialId;
    await sandbox.advanceClock("91d");
    const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }));
    expect(rotations.Rotations).toEqual([
      expect.objectContaining({ RotationType: "AUTOMATIC", KeyMaterialState: "CURRENT" }),
    ]);
    const described = (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!;
    expect(described.CurrentKeyMaterialId).not.toBe(firstMaterial);
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(status.NextRotationDate!.getTime()).toBeGreaterThan(
      rotations.Rotations![0]!.RotationDate!.getTime(),
    );
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe("before");
    expect(opened.KeyMaterialId).toBe(firstMaterial);
  });

  test("RotateKeyOnDemand rotates at once and is listed as ON_DEMAND", async () => {
    const key = await newKey();
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const all = await kms.send(
      new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
    );
    expect(all.Rotations?.map((rotation) => [rotation.KeyMaterialState, rotation.RotationType])).toEqual([
      ["NON_CURRENT", undefined],
      ["CURRENT", "ON_DEMAND"],
    ]);
  });

  test("a key past its deletion date is gone", async () => {
    const key = await newKey();
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await sandbox.advanceClock("8d");
    await expect(kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).rejects.toMatchObject({
      name: "NotFoundException",
    });
  });
});

describe("DryRun", () => {
  test("a request that would succeed is DryRunOperationException and changes nothing", async () => {
    const key = await newKey();
    const dryRun = { name: "DryRunOperationException" };
    await expect(
      kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from("x"), DryRun: true })),
    ).rejects.toMatchObject(dryRun);
    await expect(
      kms.send(
        new CreateGrantCommand({
          KeyId: key.KeyId,
          GranteePrincipal: "p",
          Operations: ["Encrypt"],
          DryRun: true,
        }),
      ),
    ).rejects.toMatchObject(dryRun);
    expect((await kms.send(new ListGrantsCommand({ KeyId: key.KeyId }))).Grants).toEqual([]);
    await expect(
      kms.send(new EncryptCommand({ KeyId: "alias/missing", Plaintext: Buffer.from("x"), DryRun: true })),
    ).rejects.toMatchObject({ name: "NotFoundException" });
  });
});

describe("grants", () => {
  test("create, list, retire by token, revoke by id", async () => {
    const key = await newKey();
    const grant = await kms.send(
      new CreateGrantCommand({
        KeyId: key.KeyId,
        GranteePrincipal: "arn:aws:iam::111111111111:role/app",
        RetiringPrincipal: "arn:aws:iam::111111111111:role/admin",
        Operations: ["Encrypt", "Decrypt"],
        Name: "app",
      }),
    );
    expect(grant.GrantId).toMatch(/^[0-9a-f]{64}$/);
    const again = await kms.send(
      new CreateGrantCommand({
        KeyId: key.KeyId,
        GranteePrincipal: "arn:aws:iam::111111111111:role/app",
        Operations: ["Encrypt", "Decrypt"],
        Name: "app",
      }),
    );
    expect(again.GrantId).toBe(grant.GrantId);
    const second = await kms.send(
      new CreateGrantCommand({
        KeyId: key.KeyId,
        GranteePrincipal: "arn:aws:iam::111111111111:role/other",
        Operations: ["GenerateDataKey"],
      }),
    );
    const listed = await kms.send(new ListGrantsCommand({ KeyId: key.KeyId }));
    expect(listed.Grants).toEqual([
      expect.objectContaining({
        KeyId: key.Arn,
        GrantId: grant.GrantId,
        Name: "app",
        Operations: ["Encrypt", "Decrypt"],
        IssuingAccount: "arn:aws:iam::111111111111:root",
      }),
      expect.objectContaining({ GrantId: second.GrantId }),
    ]);
    await kms.send(new RetireGrantCommand({ GrantToken: grant.GrantToken }));
    await kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: second.GrantId }));
    expect((await kms.send(new ListGrantsCommand({ KeyId: key.KeyId }))).Grants).toEqual([]);
    await expect(
      kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: second.GrantId })),
    ).rejects.toMatchObject({
      name: "NotFoundException",
    });
    await expect(kms.send(new RetireGrantCommand({ GrantToken: "nope" }))).rejects.toMatchObject({
      name: "InvalidGrantTokenException",
    });
    await expect(
      kms.send(
        new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: "x", Operations: ["Fly" as "Encrypt"] }),
      ),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });
});
