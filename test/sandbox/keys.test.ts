import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeyPoliciesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ReplicateKeyCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from "@aws-sdk/client-kms";
import { useSandbox } from "../support/sandbox";

const { sandbox, kms } = useSandbox();

const policy = (sid: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: sid,
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::111111111111:root" },
        Action: "kms:*",
        Resource: "*",
      },
    ],
  });

describe("keys", () => {
  test("CreateKey returns the metadata Terraform reads, DescribeKey finds it by id, ARN, alias and alias ARN", async () => {
    const created = await kms.send(
      new CreateKeyCommand({
        Description: "orders",
        Policy: policy("a"),
        Tags: [{ TagKey: "team", TagValue: "x" }],
      }),
    );
    const metadata = created.KeyMetadata!;
    expect(metadata).toMatchObject({
      AWSAccountId: "111111111111",
      Enabled: true,
      Description: "orders",
      KeyUsage: "ENCRYPT_DECRYPT",
      KeyState: "Enabled",
      Origin: "AWS_KMS",
      KeyManager: "CUSTOMER",
      CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
      KeySpec: "SYMMETRIC_DEFAULT",
      EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
      MultiRegion: false,
    });
    expect(metadata.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(metadata.Arn).toBe(`arn:aws:kms:us-east-1:111111111111:key/${metadata.KeyId}`);
    expect(metadata.CreationDate).toBeInstanceOf(Date);
    expect(metadata.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);

    await kms.send(new CreateAliasCommand({ AliasName: "alias/orders", TargetKeyId: metadata.KeyId }));
    for (const id of [
      metadata.KeyId!,
      metadata.Arn!,
      "alias/orders",
      "arn:aws:kms:us-east-1:111111111111:alias/orders",
    ]) {
      const described = await kms.send(new DescribeKeyCommand({ KeyId: id }));
      expect(described.KeyMetadata?.KeyId).toBe(metadata.KeyId);
    }
    expect((await kms.send(new GetKeyPolicyCommand({ KeyId: metadata.KeyId }))).Policy).toBe(policy("a"));
    expect((await kms.send(new ListResourceTagsCommand({ KeyId: metadata.KeyId }))).Tags).toEqual([
      { TagKey: "team", TagValue: "x" },
    ]);
  });

  test("an EXTERNAL key waits in PendingImport, disabled, with no material", async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
    expect(KeyMetadata).toMatchObject({ KeyState: "PendingImport", Enabled: false, Origin: "EXTERNAL" });
    expect(KeyMetadata?.CurrentKeyMaterialId).toBeUndefined();
    await expect(kms.send(new EnableKeyCommand({ KeyId: KeyMetadata!.KeyId }))).rejects.toMatchObject({
      name: "KMSInvalidStateException",
      message: `${KeyMetadata!.Arn} is pending import.`,
    });
  });

  test("HMAC and asymmetric keys carry their algorithms", async () => {
    const hmac = await kms.send(
      new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }),
    );
    expect(hmac.KeyMetadata).toMatchObject({ KeySpec: "HMAC_256", MacAlgorithms: ["HMAC_SHA_256"] });
    const ecc = await kms.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P384", KeyUsage: "SIGN_VERIFY" }));
    expect(ecc.KeyMetadata).toMatchObject({ KeyUsage: "SIGN_VERIFY", SigningAlgorithms: ["ECDSA_SHA_384"] });
    await expect(
      kms.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "ENCRYPT_DECRYPT" })),
    ).rejects.toMatchObject({ name: "ValidationException" });
    await expect(kms.send(new CreateKeyCommand({ KeySpec: "NOPE" as "RSA_2048" }))).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining(
        "at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set",
      ),
    });
  });

  test("enable, disable, description, deletion window and cancellation", async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const KeyId = KeyMetadata!.KeyId!;
    await kms.send(new DisableKeyCommand({ KeyId }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata).toMatchObject({
      KeyState: "Disabled",
      Enabled: false,
    });
    await kms.send(new EnableKeyCommand({ KeyId }));
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId, Description: "renamed" }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata).toMatchObject({
      KeyState: "Enabled",
      Description: "renamed",
    });
    await expect(
      kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 6 })),
    ).rejects.toMatchObject({
      name: "ValidationException",
      message:
        "1 validation error detected: Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7",
    });
    await expect(
      kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 31 })),
    ).rejects.toMatchObject({
      name: "ValidationException",
    });
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
    expect(scheduled).toMatchObject({ KeyState: "PendingDeletion", PendingWindowInDays: 7 });
    expect(scheduled.DeletionDate!.getTime() - KeyMetadata!.CreationDate!.getTime()).toBeGreaterThanOrEqual(
      7 * 86_400_000 - 60_000,
    );
    const described = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata;
    expect(described).toMatchObject({ KeyState: "PendingDeletion", PendingDeletionWindowInDays: 7 });
    await expect(kms.send(new DisableKeyCommand({ KeyId }))).rejects.toMatchObject({
      name: "KMSInvalidStateException",
      message: `${KeyMetadata!.Arn} is pending deletion.`,
    });
    await kms.send(new CancelKeyDeletionCommand({ KeyId }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.KeyState).toBe("Disabled");
    await expect(kms.send(new CancelKeyDeletionCommand({ KeyId }))).rejects.toMatchObject({
      name: "KMSInvalidStateException",
    });
  });

  test("unknown keys are NotFoundException", async () => {
    const missing = "0b7f3c1e-0000-4000-8000-000000000000";
    await expect(kms.send(new DescribeKeyCommand({ KeyId: missing }))).rejects.toMatchObject({
      name: "NotFoundException",
      message: `Key 'arn:aws:kms:us-east-1:111111111111:key/${missing}' does not exist`,
    });
    await expect(kms.send(new DescribeKeyCommand({ KeyId: "alias/none" }))).rejects.toMatchObject({
      name: "NotFoundException",
    });
  });

  test("ListKeys pages with Limit and Marker", async () => {
    for (let i = 0; i < 3; i += 1) await kms.send(new CreateKeyCommand({}));
    const all = await kms.send(new ListKeysCommand({ Limit: 1000 }));
    const ids = all.Keys!.map((key) => key.KeyId);
    expect(all.Truncated).toBe(false);
    const paged: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await kms.send(new ListKeysCommand({ Limit: 2, ...(Marker ? { Marker } : {}) }));
      paged.push(...page.Keys!.map((key) => key.KeyId!));
      expect(page.Keys!.length).toBeLessThanOrEqual(2);
      Marker = page.Truncated ? page.NextMarker : undefined;
    } while (Marker);
    expect(paged).toEqual(ids);
    expect(all.Keys![0]?.KeyArn).toMatch(/^arn:aws:kms:us-east-1:111111111111:key\//);
    await expect(kms.send(new ListKeysCommand({ Marker: "bogus" }))).rejects.toMatchObject({
      name: "InvalidMarkerException",
    });
    await expect(kms.send(new ListKeysCommand({ Limit: 0 }))).rejects.toMatchObject({
      name: "ValidationException",
    });
  });
});

describe("policy and tags", () => {
  test("PutKeyPolicy replaces the policy; malformed JSON is refused", async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const KeyId = KeyMetadata!.KeyId!;
    const initial = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId }))).Policy!);
    expect(initial.Statement[0].Principal.AWS).toBe("arn:aws:iam::111111111111:root");
    await kms.send(new PutKeyPolicyCommand({ KeyId, Policy: policy("b") }));
    expect((await kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: "default" }))).Policy).toBe(
      policy("b"),
    );
    // Not JSON: KMS says nothing more than the exception's name (the SDK then says "UnknownError").
    await expect(kms.send(new PutKeyPolicyCommand({ KeyId, Policy: "{nope" }))).rejects.toMatchObject({
      name: "MalformedPolicyDocumentException",
      message: "UnknownError",
      $metadata: expect.objectContaining({ httpStatusCode: 400 }),
    });
    // Statements without Action/NotAction or Resource are refused (KMS, since August 2025).
    const statement = { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" } };
    for (const [body, message] of [
      [{ ...statement, Resource: "*" }, "Statement 1 has no Action or NotAction element."],
      [{ ...statement, Action: "kms:*" }, "Statement 1 has no Resource element."],
      [[{ ...statement, NotAction: "kms:Sign", Resource: "*" }, "x"], "Statement 2 is not a JSON object."],
    ] as const) {
      const Policy = JSON.stringify({ Version: "2012-10-17", Statement: body });
      await expect(kms.send(new PutKeyPolicyCommand({ KeyId, Policy }))).rejects.toMatchObject({
        name: "MalformedPolicyDocumentException",
        message,
      });
      await expect(kms.send(new CreateKeyCommand({ Policy }))).rejects.toMatchObject({
        name: "MalformedPolicyDocumentException",
        message,
      });
    }
    const single = JSON.stringify({
      Version: "2012-10-17",
      Statement: { ...statement, NotAction: "kms:Sign", Resource: "*" },
    });
    await kms.send(new PutKeyPolicyCommand({ KeyId, Policy: single }));
    await expect(kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: "other" }))).rejects.toMatchObject({
      name: "NotFoundException",
    });
    expect((await kms.send(new ListKeyPoliciesCommand({ KeyId }))).PolicyNames).toEqual(["default"]);
  });

  test("TagResource merges, UntagResource removes, bad tags are TagException", async () => {
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({
        Tags: [
          { TagKey: "a", TagValue: "1" },
          { TagKey: "b", TagValue: "2" },
        ],
      }),
    );
    const KeyId = KeyMetadata!.KeyId!;
    await kms.send(
      new TagResourceCommand({
        KeyId,
        Tags: [
          { TagKey: "b", TagValue: "3" },
          { TagKey: "c", TagValue: "4" },
        ],
      }),
    );
    await kms.send(new UntagResourceCommand({ KeyId, TagKeys: ["a"] }));
    expect((await kms.send(new ListResourceTagsCommand({ KeyId }))).Tags).toEqual([
      { TagKey: "b", TagValue: "3" },
      { TagKey: "c", TagValue: "4" },
    ]);
    await expect(
      kms.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: "aws:x", TagValue: "1" }] })),
    ).rejects.toMatchObject({ name: "TagException" });
    await expect(
      kms.send(
        new TagResourceCommand({
          KeyId,
          Tags: [
            { TagKey: "d", TagValue: "1" },
            { TagKey: "d", TagValue: "2" },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: "TagException" });
  });
});

describe("aliases", () => {
  test("create, list (with AliasArn and TargetKeyId), update, delete", async () => {
    const first = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const second = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: "alias/app/one", TargetKeyId: first.Arn }));
    await expect(
      kms.send(new CreateAliasCommand({ AliasName: "alias/app/one", TargetKeyId: first.KeyId })),
    ).rejects.toMatchObject({ name: "AlreadyExistsException" });
    const listed = await kms.send(new ListAliasesCommand({ KeyId: first.KeyId }));
    expect(listed.Aliases).toEqual([
      expect.objectContaining({
        AliasName: "alias/app/one",
        AliasArn: "arn:aws:kms:us-east-1:111111111111:alias/app/one",
        TargetKeyId: first.KeyId,
      }),
    ]);
    await kms.send(new UpdateAliasCommand({ AliasName: "alias/app/one", TargetKeyId: second.KeyId }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: "alias/app/one" }))).KeyMetadata?.KeyId).toBe(
      second.KeyId,
    );
    await kms.send(new DeleteAliasCommand({ AliasName: "alias/app/one" }));
    await expect(kms.send(new DeleteAliasCommand({ AliasName: "alias/app/one" }))).rejects.toMatchObject({
      name: "NotFoundException",
    });
    await expect(
      kms.send(new CreateAliasCommand({ AliasName: "nope", TargetKeyId: first.KeyId })),
    ).rejects.toMatchObject({
      name: "ValidationException",
      message:
        'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      kms.send(new CreateAliasCommand({ AliasName: "alias/aws/s3", TargetKeyId: first.KeyId })),
    ).rejects.toMatchObject({ name: "NotAuthorizedException" });
  });

  test("ListAliases pages", async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    for (const n of [1, 2, 3]) {
      await kms.send(new CreateAliasCommand({ AliasName: `alias/page/${n}`, TargetKeyId: key.KeyId }));
    }
    const first = await kms.send(new ListAliasesCommand({ KeyId: key.KeyId, Limit: 2 }));
    expect(first.Aliases).toHaveLength(2);
    expect(first.Truncated).toBe(true);
    const second = await kms.send(
      new ListAliasesCommand({ KeyId: key.KeyId, Limit: 2, Marker: first.NextMarker }),
    );
    expect(second.Aliases!.map((alias) => alias.AliasName)).toEqual(["alias/page/3"]);
    expect(second.Truncated).toBe(false);
  });
});

describe("multi-Region keys", () => {
  test("ReplicateKey creates a replica in another Region sharing the key id", async () => {
    const primary = (await kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
    expect(primary.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    const replicated = await kms.send(
      new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: "eu-west-1", Description: "copy" }),
    );
    expect(replicated.ReplicaKeyMetadata).toMatchObject({
      KeyId: primary.KeyId,
      Arn: `arn:aws:kms:eu-west-1:111111111111:key/${primary.KeyId}`,
      KeyState: "Creating",
      MultiRegionConfiguration: {
        MultiRegionKeyType: "REPLICA",
        PrimaryKey: { Arn: primary.Arn, Region: "us-east-1" },
      },
    });
    const west = new KMSClient({
      endpoint: sandbox.url,
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIAKEYPLANETEST0000", secretAccessKey: "x" },
    });
    try {
      const described = await west.send(new DescribeKeyCommand({ KeyId: primary.KeyId }));
      expect(described.KeyMetadata).toMatchObject({ Description: "copy", MultiRegion: true });
    } finally {
      west.destroy();
    }
    const again = await kms.send(new DescribeKeyCommand({ KeyId: primary.KeyId }));
    expect(again.KeyMetadata?.MultiRegionConfiguration?.ReplicaKeys).toEqual([
      { Arn: replicated.ReplicaKeyMetadata!.Arn, Region: "eu-west-1" },
    ]);
    await expect(
      kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: "eu-west-1" })),
    ).rejects.toMatchObject({ name: "AlreadyExistsException" });
    const single = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await expect(
      kms.send(new ReplicateKeyCommand({ KeyId: single.KeyId, ReplicaRegion: "eu-west-1" })),
    ).rejects.toMatchObject({ name: "UnsupportedOperationException" });
  });
});
