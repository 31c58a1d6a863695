import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
} from "@aws-sdk/client-kms";
import { derivePlan, stackKeys } from "../../stacks/plan/derive";
import { loadPlanFile } from "../../stacks/plan/load";
import { policyForKey } from "../../stacks/plan/policy-for-key";
import { planAccess } from "../../stacks/policy/plan-access";
import { runCli } from "../support/cli";
import { type PrincipalSandbox, type PrincipalSpec, startWithPrincipals } from "./principals";

const ADMIN = "arn:aws:iam::111111111111:role/KeyAdmin";
const DEPLOYER = "arn:aws:iam::111111111111:role/KeyplaneDeploy";
const CUSTODIAN = "arn:aws:iam::111111111111:role/KeyCustodian";
const PAYMENTS = "arn:aws:iam::222222222222:role/payments-api";
const ORDERS = "arn:aws:iam::333333333333:role/orders-api";
const S3 = "s3.us-east-1.amazonaws.com";

/**
 * keyplan.example.yaml on an enforcing sandbox, every principal with exactly the identity policy `plan access`
 * synthesizes and every key created as the deploy role with the policy synth writes: the workflows succeed as
 * the least-privileged role, and each separation-of-duties denial shows.
 */
describe("rehearsals as the real roles (keyplan.example.yaml, --enforce-policies)", () => {
  const derived = derivePlan(loadPlanFile(join(__dirname, "..", "..", "keyplan.example.yaml")));
  const keys = derived.stacks.flatMap(stackKeys);
  const access = planAccess(derived.plan.name, keys);
  const accessKey = new Map(
    access.identityPolicies.map((entry, index) => [
      entry.principal,
      `AKIAREHEARSAL${String(index).padStart(7, "0")}`,
    ]),
  );
  const keyOf = (alias: string) => {
    const key = keys.find((candidate) => candidate.alias === alias);
    if (!key) throw new Error(`no ${alias} in the example plan`);
    return key;
  };
  const dir = mkdtempSync(join(tmpdir(), "keyplane-rehearsal-"));
  let world: PrincipalSandbox;
  const arns: Record<string, string> = {};
  const as = (principal: string, viaService?: string) =>
    world.kms(accessKey.get(principal) ?? "", viaService ? { viaService } : {});

  beforeAll(async () => {
    const principals: PrincipalSpec[] = access.identityPolicies.map((entry) => ({
      arn: entry.principal,
      accessKeyId: accessKey.get(entry.principal) ?? "",
      identityPolicies: [entry.policy],
    }));
    world = await startWithPrincipals(principals, { enforce: true });
    // The deploy role creates the keys with synth's policies: the lockout check passes without a bypass.
    for (const alias of ["alias/acme/payments/restricted/s3", "alias/acme/payments/internal/sqs"]) {
      const key = keyOf(alias);
      const created = await as(DEPLOYER).send(
        new CreateKeyCommand({
          Policy: policyForKey(key).render(),
          Origin: key.origin,
          Description: key.description,
          Tags: Object.entries(key.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
        }),
      );
      arns[alias] = created.KeyMetadata?.Arn ?? "";
      if (key.origin === "AWS_KMS" && key.rotationDays) {
        await as(DEPLOYER).send(
          new EnableKeyRotationCommand({ KeyId: arns[alias], RotationPeriodInDays: key.rotationDays }),
        );
      }
      await as(DEPLOYER).send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: arns[alias] }));
    }
  }, 60_000);
  afterAll(async () => {
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const custodianEnv = () => world.env(accessKey.get(CUSTODIAN) ?? "");

  test("the custodian runs the ceremony, expiry scan and renew, and rotation apply", async () => {
    const arn = arns["alias/acme/payments/restricted/s3"] ?? "";
    const ceremony = await runCli(
      [
        "--journal",
        join(dir, "ceremony.jsonl"),
        "--yes",
        "byok",
        "ceremony",
        "--key",
        arn,
        "--material",
        "generate",
        "--expires-in",
        "100d",
        "--escrow-dir",
        join(dir, "escrow"),
        "--escrow-shares",
        "3",
        "--escrow-threshold",
        "2",
      ],
      { env: custodianEnv() },
    );
    expect(ceremony.stderr).not.toMatch(/AccessDenied/);
    expect(ceremony.code).toBe(0);
    const journal = await runCli(["byok", "journal", "verify", join(dir, "ceremony.jsonl")]);
    expect(journal.code).toBe(0);

    await world.sandbox.advanceClock("101d");
    const scan = await runCli(["--output", "json", "expiry"], { env: custodianEnv() });
    expect(scan.stderr).toBe("");
    expect(scan.code).toBe(3);
    expect(JSON.parse(scan.stdout).materials).toEqual([
      expect.objectContaining({ keyArn: arn, status: "pending-import" }),
    ]);
    const renew = await runCli(
      [
        "--output",
        "json",
        "--journal",
        join(dir, "ceremony.jsonl"),
        "expiry",
        "renew",
        "--key",
        "alias/acme/payments/restricted/s3",
        "--escrow-dir",
        join(dir, "escrow"),
        "--expires-in",
        "180d",
      ],
      { env: custodianEnv() },
    );
    expect(renew.stderr).toBe("");
    expect(JSON.parse(renew.stdout)).toMatchObject({ keyArn: arn, verified: "encrypt-decrypt" });

    await world.sandbox.advanceClock("91d");
    const apply = await runCli(
      [
        "--output",
        "json",
        "--journal",
        join(dir, "rotation.jsonl"),
        "rotation",
        "apply",
        "--escrow-dir",
        join(dir, "rotation-escrow"),
      ],
      { env: custodianEnv() },
    );
    expect(apply.stderr).not.toMatch(/AccessDenied/);
    expect(apply.code).toBe(0);
    const actions = JSON.parse(apply.stdout).actions as { keyArn?: string; outcome: string }[];
    expect(actions.filter((action) => action.outcome === "done").length).toBeGreaterThan(0);
    expect(actions.every((action) => action.outcome === "done")).toBe(true);
  }, 180_000);

  test("the separation-of-duties denials, in AWS's words", async () => {
    const data = arns["alias/acme/payments/internal/sqs"] ?? "";
    const denied = { name: "AccessDeniedException" };
    // Administrators manage and never use.
    await expect(
      as(ADMIN).send(new EncryptCommand({ KeyId: data, Plaintext: Buffer.from("x") })),
    ).rejects.toMatchObject({
      ...denied,
      message: expect.stringMatching(
        /^User: arn:aws:sts::111111111111:assumed-role\/KeyAdmin\/keyplane-sandbox is not authorized to perform: kms:Encrypt on resource: arn:aws:kms:us-east-1:111111111111:key\/\S+ because no resource-based policy allows the kms:Encrypt action$/,
      ),
    });
    // The application: not directly, only through its own service.
    await expect(
      as(PAYMENTS).send(new EncryptCommand({ KeyId: data, Plaintext: Buffer.from("x") })),
    ).rejects.toMatchObject(denied);
    await expect(
      as(PAYMENTS, S3).send(new EncryptCommand({ KeyId: data, Plaintext: Buffer.from("x") })),
    ).rejects.toMatchObject(denied);
    const sealed = await as(PAYMENTS, "sqs.us-east-1.amazonaws.com").send(
      new EncryptCommand({
        KeyId: data,
        Plaintext: Buffer.from("order"),
        EncryptionContext: { "aws:sqs:arn": "arn:aws:sqs:us-east-1:222222222222:q" },
      }),
    );
    expect(sealed.KeyId).toBe(data);
    // Another account's principal, even through the service.
    await expect(
      as(ORDERS, "sqs.us-east-1.amazonaws.com").send(
        new EncryptCommand({ KeyId: data, Plaintext: Buffer.from("x") }),
      ),
    ).rejects.toMatchObject(denied);
  });

  test("the custodian cannot decrypt data under the key it imported into", async () => {
    const restricted = arns["alias/acme/payments/restricted/s3"] ?? "";
    const context = { "aws:s3:arn": "arn:aws:s3:::payments/ledger" };
    const sealed = await as(PAYMENTS, S3).send(
      new EncryptCommand({ KeyId: restricted, Plaintext: Buffer.from("card"), EncryptionContext: context }),
    );
    await expect(
      as(CUSTODIAN).send(
        new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: context }),
      ),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
    // Adding the verify step's key to a data context does not help: it must be the only key.
    await expect(
      as(CUSTODIAN).send(
        new EncryptCommand({
          KeyId: restricted,
          Plaintext: Buffer.from("x"),
          EncryptionContext: { ...context, "keyplane:verify": "1" },
        }),
      ),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
  });
});
