import {
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  type KMSClient,
  ListKeysCommand,
  PutKeyPolicyCommand,
} from "@aws-sdk/client-kms";
import { startSandbox } from "../support/sandbox";
import { allow, type PrincipalSandbox, startWithPrincipals } from "./principals";

const SECURITY = "111111111111";
const APP_ACCOUNT = "222222222222";
const ADMIN = `arn:aws:iam::${SECURITY}:role/KeyAdmin`;
const CUSTODIAN = `arn:aws:iam::${SECURITY}:role/KeyCustodian`;
const DELEGATED = `arn:aws:iam::${SECURITY}:user/iam-delegated`;
const APP = `arn:aws:iam::${APP_ACCOUNT}:role/payments-api`;
const WORKER = `arn:aws:iam::${APP_ACCOUNT}:role/payments-worker`;
const OUTSIDER = "arn:aws:iam::333333333333:role/elsewhere";
const session = (arn: string) =>
  arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/keyplane-sandbox";

/** A key policy of keyplane's shape: admins manage, custodian verifies under its own context, app uses via S3. */
function keyPolicy(extra: object[] = []): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "KeyAdministrators",
        Effect: "Allow",
        Principal: { AWS: ADMIN },
        Action: ["kms:DescribeKey", "kms:PutKeyPolicy", "kms:GetKeyPolicy"],
        Resource: "*",
      },
      {
        Sid: "CustodianVerify",
        Effect: "Allow",
        Principal: { AWS: CUSTODIAN },
        Action: ["kms:Encrypt", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: { "kms:EncryptionContext:keyplane:verify": "import-check" } },
      },
      {
        Sid: "KeyUsers",
        Effect: "Allow",
        Principal: { AWS: [APP, OUTSIDER] },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"],
        Resource: "*",
        Condition: {
          StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": APP_ACCOUNT },
        },
      },
      {
        Sid: "KeyUsersGrantsForAwsResources",
        Effect: "Allow",
        Principal: { AWS: APP },
        Action: "kms:CreateGrant",
        Resource: "*",
        Condition: {
          Bool: { "kms:GrantIsForAWSResource": "true" },
          "ForAllValues:StringEquals": { "kms:GrantOperations": ["Decrypt", "Encrypt"] },
        },
      },
      ...extra,
    ],
  });
}

describe("sandbox --enforce-policies: KMS authorisation by key policy, grants and identity policies", () => {
  let world: PrincipalSandbox;
  let admin: KMSClient;
  let keyArn: string;
  beforeAll(async () => {
    world = await startWithPrincipals(
      [
        {
          arn: ADMIN,
          accessKeyId: "AKIAKEYADMIN0000001",
          identityPolicies: [allow("kms:CreateKey", "kms:ListKeys")],
        },
        { arn: CUSTODIAN, accessKeyId: "AKIACUSTODIAN000001" },
        { arn: DELEGATED, accessKeyId: "AKIADELEGATED000001", identityPolicies: [allow("kms:DescribeKey")] },
        { arn: APP, accessKeyId: "AKIAPAYMENTS0000001", identityPolicies: [allow("kms:*")] },
        { arn: WORKER, accessKeyId: "AKIAWORKER000000001", identityPolicies: [allow("kms:Decrypt")] },
        { arn: OUTSIDER, accessKeyId: "AKIAOUTSIDER0000001", identityPolicies: [allow("kms:*")] },
      ],
      { enforce: true },
    );
    admin = world.kms("AKIAKEYADMIN0000001");
    const created = await admin.send(new CreateKeyCommand({ Policy: keyPolicy() }));
    keyArn = created.KeyMetadata?.Arn ?? "";
  }, 30_000);
  afterAll(() => world.stop());

  test("an administrator manages but is denied use, in AWS's words", async () => {
    await expect(admin.send(new DescribeKeyCommand({ KeyId: keyArn }))).resolves.toBeDefined();
    await expect(
      admin.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from("x") })),
    ).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: `User: ${session(ADMIN)} is not authorized to perform: kms:Encrypt on resource: ${keyArn} because no resource-based policy allows the kms:Encrypt action`,
    });
  });

  test("the custodian uses the key only under the verify step's encryption context", async () => {
    const custodian = world.kms("AKIACUSTODIAN000001");
    const context = { "keyplane:verify": "import-check" };
    const sealed = await custodian.send(
      new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from("probe"), EncryptionContext: context }),
    );
    const opened = await custodian.send(
      new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: context }),
    );
    expect(Buffer.from(opened.Plaintext ?? []).toString()).toBe("probe");
    await expect(
      custodian.send(
        new EncryptCommand({
          KeyId: keyArn,
          Plaintext: Buffer.from("data"),
          EncryptionContext: { app: "payments" },
        }),
      ),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
  });

  test("an application is denied directly, allowed through its service, denied through another", async () => {
    await expect(
      world
        .kms("AKIAPAYMENTS0000001")
        .send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from("x") })),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
    const viaS3 = world.kms("AKIAPAYMENTS0000001", { viaService: "s3.us-east-1.amazonaws.com" });
    const sealed = await viaS3.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from("x") }));
    expect(sealed.KeyId).toBe(keyArn);
    await expect(
      world
        .kms("AKIAPAYMENTS0000001", { viaService: "sqs.us-east-1.amazonaws.com" })
        .send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from("x") })),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
  });

  test("a principal of another account is denied even when the key policy names it (kms:CallerAccount)", async () => {
    await expect(
      world
        .kms("AKIAOUTSIDER0000001", { viaService: "s3.us-east-1.amazonaws.com" })
        .send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from("x") })),
    ).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(
        "User: arn:aws:sts::333333333333:assumed-role/elsewhere/keyplane-sandbox",
      ),
    });
  });

  test("requests without a key need an identity policy (ListKeys)", async () => {
    await expect(world.kms("AKIACUSTODIAN000001").send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: `User: ${session(CUSTODIAN)} is not authorized to perform: kms:ListKeys on resource: * because no identity-based policy allows the kms:ListKeys action`,
    });
    await expect(admin.send(new ListKeysCommand({}))).resolves.toBeDefined();
  });

  test("grants allow their operations under their constraints; a service-made grant needs GrantIsForAWSResource", async () => {
    const app = world.kms("AKIAPAYMENTS0000001");
    const grant = new CreateGrantCommand({
      KeyId: keyArn,
      GranteePrincipal: WORKER,
      Operations: ["Decrypt"],
      Constraints: { EncryptionContextSubset: { bucket: "ledger" } },
    });
    await expect(app.send(grant)).rejects.toMatchObject({ name: "AccessDeniedException" });
    await world.kms("AKIAPAYMENTS0000001", { viaService: "s3.us-east-1.amazonaws.com" }).send(grant);
    const sealed = await world.kms("AKIAPAYMENTS0000001", { viaService: "s3.us-east-1.amazonaws.com" }).send(
      new EncryptCommand({
        KeyId: keyArn,
        Plaintext: Buffer.from("row"),
        EncryptionContext: { bucket: "ledger" },
      }),
    );
    const worker = world.kms("AKIAWORKER000000001");
    const opened = await worker.send(
      new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { bucket: "ledger" } }),
    );
    expect(Buffer.from(opened.Plaintext ?? []).toString()).toBe("row");
    await expect(
      worker.send(
        new EncryptCommand({
          KeyId: keyArn,
          Plaintext: Buffer.from("x"),
          EncryptionContext: { bucket: "ledger" },
        }),
      ),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
  });

  test("an explicit deny wins over every allow, and says so", async () => {
    const denied = JSON.parse(keyPolicy()) as { Statement: object[] };
    denied.Statement.push({
      Sid: "NoDescribe",
      Effect: "Deny",
      Principal: "*",
      Action: "kms:DescribeKey",
      Resource: "*",
    });
    const created = await admin.send(new CreateKeyCommand({ Policy: JSON.stringify(denied) }));
    const arn = created.KeyMetadata?.Arn ?? "";
    await expect(admin.send(new DescribeKeyCommand({ KeyId: arn }))).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: `User: ${session(ADMIN)} is not authorized to perform: kms:DescribeKey on resource: ${arn} with an explicit deny in a resource-based policy`,
    });
  });

  test("the account root statement delegates to identity policies", async () => {
    const root = {
      Sid: "EnableIamPolicies",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${SECURITY}:root` },
      Action: "kms:*",
      Resource: "*",
    };
    const delegating =
      (await admin.send(new CreateKeyCommand({ Policy: keyPolicy([root]) }))).KeyMetadata?.Arn ?? "";
    const delegated = world.kms("AKIADELEGATED000001");
    await expect(delegated.send(new DescribeKeyCommand({ KeyId: delegating }))).resolves.toBeDefined();
    await expect(delegated.send(new DescribeKeyCommand({ KeyId: keyArn }))).rejects.toMatchObject({
      name: "AccessDeniedException",
    });
    await expect(
      delegated.send(new EncryptCommand({ KeyId: delegating, Plaintext: Buffer.from("x") })),
    ).rejects.toMatchObject({
      message: expect.stringContaining("because no identity-based policy allows the kms:Encrypt action"),
    });
  });

  test("the policy lockout safety check: a policy that would lock the caller out is refused unless bypassed", async () => {
    const lockout = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "UsersOnly", Effect: "Allow", Principal: { AWS: APP }, Action: "kms:Decrypt", Resource: "*" },
      ],
    });
    const refusal = {
      name: "MalformedPolicyDocumentException",
      message: "The new key policy will not allow you to update the key policy in the future.",
    };
    await expect(admin.send(new CreateKeyCommand({ Policy: lockout }))).rejects.toMatchObject(refusal);
    await expect(
      admin.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default", Policy: lockout })),
    ).rejects.toMatchObject(refusal);
    const bypassed = await admin.send(
      new CreateKeyCommand({ Policy: lockout, BypassPolicyLockoutSafetyCheck: true }),
    );
    expect(bypassed.KeyMetadata?.KeyId).toBeTruthy();
    await expect(
      admin.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default", Policy: keyPolicy() })),
    ).resolves.toBeDefined();
  });
});

describe("sandbox --enforce-policies without a principals file", () => {
  test("the one caller has the account's IAM behind it: default key policies work, the lockout check still applies", async () => {
    const sandbox = await startSandbox({ extraArgs: ["--enforce-policies"] });
    try {
      const kms = sandbox.kms({ maxAttempts: 1 });
      const created = await kms.send(new CreateKeyCommand({}));
      await expect(
        kms.send(new DescribeKeyCommand({ KeyId: created.KeyMetadata?.KeyId })),
      ).resolves.toBeDefined();
      await expect(kms.send(new ListKeysCommand({}))).resolves.toBeDefined();
      const othersOnly = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "Other", Effect: "Allow", Principal: { AWS: APP }, Action: "kms:*", Resource: "*" },
        ],
      });
      await expect(kms.send(new CreateKeyCommand({ Policy: othersOnly }))).rejects.toMatchObject({
        name: "MalformedPolicyDocumentException",
      });
      const locked = await kms.send(
        new CreateKeyCommand({ Policy: othersOnly, BypassPolicyLockoutSafetyCheck: true }),
      );
      await expect(
        kms.send(new DescribeKeyCommand({ KeyId: locked.KeyMetadata?.KeyId })),
      ).rejects.toMatchObject({
        name: "AccessDeniedException",
        message: expect.stringContaining(
          "User: arn:aws:iam::111111111111:user/keyplane-sandbox is not authorized",
        ),
      });
    } finally {
      await sandbox.stop();
    }
  }, 30_000);
});
