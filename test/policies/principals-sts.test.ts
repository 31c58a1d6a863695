import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  ListAliasesCommand,
  ListKeysCommand,
} from "@aws-sdk/client-kms";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { runCli } from "../support/cli";
import { type PrincipalSandbox, startWithPrincipals } from "./principals";

const ADMIN = "arn:aws:iam::111111111111:role/KeyAdmin";
const AUDITOR = "arn:aws:iam::111111111111:user/auditor";
const APP = "arn:aws:iam::222222222222:role/team/payments-api";

describe("sandbox principals and STS (--principals FILE)", () => {
  let world: PrincipalSandbox;
  beforeAll(async () => {
    world = await startWithPrincipals([
      { arn: ADMIN, accessKeyId: "AKIAKEYADMIN0000001" },
      { arn: AUDITOR, accessKeyId: "AKIAAUDITOR00000001" },
      { arn: APP, accessKeyId: "AKIAPAYMENTS0000001" },
    ]);
  }, 30_000);
  afterAll(() => world.stop());

  test("GetCallerIdentity answers per access key: a user as itself, a role's key as a session of the role", async () => {
    const user = await world.sts("AKIAAUDITOR00000001").send(new GetCallerIdentityCommand({}));
    expect(user).toMatchObject({ Account: "111111111111", Arn: AUDITOR });
    const role = await world.sts("AKIAPAYMENTS0000001").send(new GetCallerIdentityCommand({}));
    expect(role).toMatchObject({
      Account: "222222222222",
      Arn: "arn:aws:sts::222222222222:assumed-role/payments-api/keyplane-sandbox",
    });
    expect(role.UserId).toMatch(/^AROA[A-Z0-9]{16}:keyplane-sandbox$/);
  });

  test("AssumeRole issues credentials that act as the role; unknown roles and keys are refused as AWS does", async () => {
    const sts = world.sts("AKIAAUDITOR00000001");
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: APP, RoleSessionName: "ci-42" }));
    expect(assumed.AssumedRoleUser?.Arn).toBe("arn:aws:sts::222222222222:assumed-role/payments-api/ci-42");
    expect(assumed.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(assumed.Credentials?.SessionToken).toBeTruthy();
    const asRole = new STSClient({
      endpoint: world.sandbox.url,
      region: "us-east-1",
      credentials: {
        accessKeyId: assumed.Credentials?.AccessKeyId ?? "",
        secretAccessKey: assumed.Credentials?.SecretAccessKey ?? "",
        sessionToken: assumed.Credentials?.SessionToken ?? "",
      },
    });
    try {
      expect((await asRole.send(new GetCallerIdentityCommand({}))).Arn).toBe(
        "arn:aws:sts::222222222222:assumed-role/payments-api/ci-42",
      );
    } finally {
      asRole.destroy();
    }
    await expect(
      sts.send(
        new AssumeRoleCommand({ RoleArn: "arn:aws:iam::111111111111:role/Nobody", RoleSessionName: "x1" }),
      ),
    ).rejects.toMatchObject({
      name: "AccessDenied",
      message: `User: ${AUDITOR} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/Nobody`,
    });
    await expect(
      sts.send(new AssumeRoleCommand({ RoleArn: APP, RoleSessionName: "x" })),
    ).rejects.toMatchObject({
      name: "ValidationError",
    });
    await expect(
      world.sts("AKIAUNKNOWN00000000").send(new GetCallerIdentityCommand({})),
    ).rejects.toMatchObject({
      name: "InvalidClientTokenId",
      message: "The security token included in the request is invalid.",
    });
  });

  test("an SDK profile with role_arn and source_profile works unchanged", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keyplane-profile-"));
    const saved = { ...process.env };
    try {
      writeFileSync(
        join(dir, "config"),
        `[profile base]\nregion = us-east-1\n\n[profile payments]\nrole_arn = ${APP}\nsource_profile = base\nrole_session_name = rehearsal\nregion = us-east-1\n`,
      );
      writeFileSync(
        join(dir, "credentials"),
        "[base]\naws_access_key_id = AKIAAUDITOR00000001\naws_secret_access_key = any-string\n",
      );
      for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"])
        delete process.env[name];
      process.env.AWS_CONFIG_FILE = join(dir, "config");
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, "credentials");
      process.env.AWS_ENDPOINT_URL_STS = world.sandbox.url;
      const sts = new STSClient({ profile: "payments", endpoint: world.sandbox.url });
      try {
        const identity = await sts.send(new GetCallerIdentityCommand({}));
        expect(identity.Arn).toBe("arn:aws:sts::222222222222:assumed-role/payments-api/rehearsal");
      } finally {
        sts.destroy();
      }
    } finally {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("keys belong to the caller's account: ARNs carry it, other accounts neither list them nor resolve bare ids", async () => {
    const admin = world.kms("AKIAKEYADMIN0000001");
    const app = world.kms("AKIAPAYMENTS0000001");
    const created = await app.send(new CreateKeyCommand({ Description: "payments" }));
    const keyId = created.KeyMetadata?.KeyId ?? "";
    expect(created.KeyMetadata).toMatchObject({ AWSAccountId: "222222222222" });
    expect(created.KeyMetadata?.Arn).toBe(`arn:aws:kms:us-east-1:222222222222:key/${keyId}`);
    await app.send(new CreateAliasCommand({ AliasName: "alias/payments/data", TargetKeyId: keyId }));
    const appKeys = (await app.send(new ListKeysCommand({}))).Keys?.map((key) => key.KeyId);
    expect(appKeys).toContain(keyId);
    const adminKeys = (await admin.send(new ListKeysCommand({}))).Keys?.map((key) => key.KeyId);
    expect(adminKeys).not.toContain(keyId);
    const adminAliases = (await admin.send(new ListAliasesCommand({}))).Aliases?.map(
      (alias) => alias.AliasName,
    );
    expect(adminAliases).not.toContain("alias/payments/data");
    await expect(admin.send(new DescribeKeyCommand({ KeyId: keyId }))).rejects.toMatchObject({
      name: "NotFoundException",
    });
    // Without --enforce-policies a key ARN reaches the key from any account (policies are stored, not evaluated).
    const described = await admin.send(new DescribeKeyCommand({ KeyId: created.KeyMetadata?.Arn }));
    expect(described.KeyMetadata?.AWSAccountId).toBe("222222222222");
  });

  test("an access key the file does not name is refused on KMS as AWS refuses it", async () => {
    await expect(world.kms("AKIAUNKNOWN00000000").send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: "UnrecognizedClientException",
      message: "The security token included in the request is invalid.",
    });
  });
});

describe("sandbox --principals: a bad file is one line naming the field, exit 1", () => {
  const dir = mkdtempSync(join(tmpdir(), "keyplane-principals-bad-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  test.each([
    ["principals: []\n", "principals: Too small"],
    [
      "principals:\n  - arn: arn:aws:iam::1:role/X\n    accessKeyId: AKIAX0000000000001\n    secretAccessKey: s\n",
      "principals.0.arn: expected an IAM role or user ARN",
    ],
    [
      "principals:\n  - arn: arn:aws:iam::111111111111:role/A\n    accessKeyId: AKIAX0000000000001\n    secretAccessKey: s\n  - arn: arn:aws:iam::111111111111:role/B\n    accessKeyId: AKIAX0000000000001\n    secretAccessKey: s\n",
      "principals.1.accessKeyId: AKIAX0000000000001 is given twice",
    ],
    [
      "principals:\n  - arn: arn:aws:iam::111111111111:role/A\n    accessKeyId: AKIAX0000000000001\n    secretAccessKey: s\n    identityPolicies: [{}]\n",
      "principals.0.identityPolicies.0.Statement",
    ],
  ])("%j", async (text, expected) => {
    const file = join(dir, "p.yaml");
    writeFileSync(file, text);
    const result = await runCli(["sandbox", "--port", "0", "--principals", file]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(`${file}: ${expected}`);
  });

  test("a missing file", async () => {
    const result = await runCli(["sandbox", "--port", "0", "--principals", join(dir, "absent.yaml")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("absent.yaml: cannot read the principals file (ENOENT)");
  });
});
