import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeKeyCommand, ListAliasesCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import { type SandboxHandle, startSandbox } from "../support/sandbox";
import { terraformRoundTrip } from "../support/terraform";
import { describeWithTool, TERRAFORM } from "../support/tools";

/** A provider block pointed at the sandbox, as a user would write it for a rehearsal. */
function provider(sandbox: SandboxHandle, region: string, alias?: string): Record<string, unknown> {
  return {
    ...(alias ? { alias } : {}),
    region,
    access_key: "AKIAKEYPLANETEST0000",
    secret_key: "keyplane-test-secret",
    skip_credentials_validation: true,
    skip_metadata_api_check: true,
    skip_region_validation: true,
    endpoints: [{ kms: sandbox.url, sts: sandbox.url }],
  };
}

/** A Terraform interpolation, `${expression}` in the JSON syntax. */
const ref = (expression: string): string => "$" + "{" + expression + "}";

function configuration(sandbox: SandboxHandle): Record<string, unknown> {
  const policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Admins",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${sandbox.accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ],
  });
  return {
    terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } },
    provider: { aws: [provider(sandbox, "us-east-1"), provider(sandbox, "eu-west-1", "replica")] },
    data: { aws_caller_identity: { current: {} } },
    resource: {
      aws_kms_key: {
        main: {
          description: "e2e managed key",
          policy,
          enable_key_rotation: true,
          rotation_period_in_days: 180,
          deletion_window_in_days: 7,
          tags: { "keyplane:plan": "e2e", "keyplane:classification": "internal" },
        },
        shared: { description: "e2e multi-Region key", multi_region: true, deletion_window_in_days: 7 },
        // Terraform asks every key for its rotation status, HMAC and asymmetric keys included.
        mac: {
          description: "e2e HMAC key",
          customer_master_key_spec: "HMAC_256",
          key_usage: "GENERATE_VERIFY_MAC",
          deletion_window_in_days: 7,
        },
      },
      aws_kms_external_key: {
        byok: {
          description: "e2e BYOK key",
          policy,
          multi_region: true,
          deletion_window_in_days: 30,
          tags: { "keyplane:classification": "restricted" },
        },
        // The provider wraps this material itself (Go's crypto/rsa OAEP): a third, independent wrap.
        imported: {
          description: "e2e imported key",
          // Left unset, the provider disables the key right after the import (as it does against AWS).
          enabled: true,
          key_material_base64: randomBytes(32).toString("base64"),
          valid_to: new Date(Date.now() + 100 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
          deletion_window_in_days: 7,
        },
      },
      aws_kms_alias: {
        main: { name: "alias/e2e/main", target_key_id: ref("aws_kms_key.main.key_id") },
        byok: { name: "alias/e2e/byok", target_key_id: ref("aws_kms_external_key.byok.id") },
      },
      aws_kms_replica_key: {
        shared: {
          provider: "aws.replica",
          description: "e2e replica",
          primary_key_arn: ref("aws_kms_key.shared.arn"),
          deletion_window_in_days: 7,
        },
      },
      aws_kms_replica_external_key: {
        byok: {
          provider: "aws.replica",
          description: "e2e BYOK replica",
          primary_key_arn: ref("aws_kms_external_key.byok.arn"),
          deletion_window_in_days: 7,
        },
      },
    },
    output: { account: { value: ref("data.aws_caller_identity.current.account_id") } },
  };
}

describeWithTool(TERRAFORM, "terraform against the sandbox", () => {
  let sandbox: SandboxHandle;
  let directory: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    directory = mkdtempSync(join(tmpdir(), "keyplane-tf-e2e-"));
    writeFileSync(join(directory, "main.tf.json"), JSON.stringify(configuration(sandbox), null, 2));
  });
  afterAll(async () => {
    await sandbox.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  test("init, apply, plan without drift, destroy", async () => {
    const kms = sandbox.kms();
    let byokKeyId = "";
    const trip = await terraformRoundTrip(
      directory,
      {},
      {
        destroy: true,
        afterApply: async () => {
          const aliases = await kms.send(new ListAliasesCommand({}));
          expect(aliases.Aliases?.map((alias) => alias.AliasName).sort()).toEqual([
            "alias/e2e/byok",
            "alias/e2e/main",
          ]);
          const byok = await kms.send(new DescribeKeyCommand({ KeyId: "alias/e2e/byok" }));
          expect(byok.KeyMetadata).toMatchObject({ Origin: "EXTERNAL", KeyState: "PendingImport" });
          byokKeyId = byok.KeyMetadata!.KeyId!;
          const keys = await Promise.all(
            ((await kms.send(new ListKeysCommand({}))).Keys ?? []).map(
              async (key) => (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!,
            ),
          );
          expect(keys.find((key) => key.Description === "e2e imported key")).toMatchObject({
            KeyState: "Enabled",
            ExpirationModel: "KEY_MATERIAL_EXPIRES",
          });
          expect(keys.find((key) => key.Description === "e2e HMAC key")?.MacAlgorithms).toEqual([
            "HMAC_SHA_256",
          ]);
        },
      },
    );
    expect(trip.init.stderr).toBe("");
    expect(trip.apply.stderr).toBe("");
    expect(trip.apply.stdout).toContain(`account = "${sandbox.accountId}"`);

    expect(trip.plan.stderr).toBe("");
    expect(trip.plan.stdout).toContain("No changes.");
    expect(trip.plan.code).toBe(0);

    expect(trip.destroy?.stderr).toBe("");
    const after = await kms.send(new DescribeKeyCommand({ KeyId: byokKeyId }));
    expect(after.KeyMetadata?.KeyState).toBe("PendingDeletion");
    expect((await kms.send(new ListAliasesCommand({}))).Aliases).toEqual([]);
  }, 900_000);
});
