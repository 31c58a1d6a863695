import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  EnableKeyRotationCommand,
  type KMSClient,
  TagResourceCommand,
} from "@aws-sdk/client-kms";
import { parse } from "yaml";
import { runCli } from "../support/cli";
import { type SandboxHandle, startSandbox } from "../support/sandbox";
import { runTerraform } from "../support/terraform";
import { describeWithTool, TERRAFORM } from "../support/tools";

async function createKey(
  kms: KMSClient,
  seed: { tags?: Record<string, string>; alias: string; rotationDays: number },
): Promise<string> {
  const created = await kms.send(new CreateKeyCommand({ Description: "made by hand" }));
  const keyId = created.KeyMetadata?.KeyId ?? "";
  const tags = Object.entries(seed.tags ?? {}).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
  if (tags.length > 0) await kms.send(new TagResourceCommand({ KeyId: keyId, Tags: tags }));
  await kms.send(new CreateAliasCommand({ AliasName: seed.alias, TargetKeyId: keyId }));
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: seed.rotationDays }));
  return keyId;
}

describeWithTool(
  TERRAFORM,
  "keyplane adopt, then synth --adopt and terraform plan against the sandbox",
  () => {
    let sandbox: SandboxHandle;
    let dir: string;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      sandbox = await startSandbox();
      dir = mkdtempSync(join(tmpdir(), "keyplane-adopt-"));
      const kms = sandbox.kms();
      ids.tagged = await createKey(kms, {
        tags: {
          "keyplane:plan": "acme",
          "keyplane:classification": "internal",
          "keyplane:application": "orders",
          "keyplane:service": "sqs",
        },
        alias: "alias/acme/orders/internal/sqs",
        rotationDays: 365,
      });
      ids.aliased = await createKey(kms, { alias: "alias/acme/payments/restricted/s3", rotationDays: 180 });
      ids.unknown = await createKey(kms, { alias: "alias/misc", rotationDays: 365 });
    }, 60_000);

    afterAll(async () => {
      await sandbox?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test("adopts what tags and aliases say (guesses marked), maps the rest out; the import shows 0 to destroy and no replacement", async () => {
      const adoptDir = join(dir, "adopt");
      const adopted = await runCli(["adopt", "--out", adoptDir], { env: sandbox.env() });
      expect(adopted.stderr).toContain(
        "2 key(s) adopted (3 guess(es) marked in keyplan.yaml), 1 left in adopt-mapping.yaml",
      );
      expect(adopted.code).toBe(0);
      const plan = readFileSync(join(adoptDir, "keyplan.yaml"), "utf8");
      expect(plan).toContain(
        `restricted: [s3]  # guess: ${ids.aliased}: classification from alias alias/acme/payments/restricted/s3`,
      );
      const parsed = parse(plan) as {
        name: string;
        classifications: Record<string, { rotationDays: number }>;
      };
      expect(parsed.name).toBe("acme");
      expect(parsed.classifications).toEqual({
        internal: { rotationDays: 365 },
        restricted: { rotationDays: 180 },
      });
      const mapping = parse(readFileSync(join(adoptDir, "adopt-mapping.yaml"), "utf8")) as {
        keys: { keyArn: string; reason: string }[];
      };
      expect(mapping.keys).toEqual([
        expect.objectContaining({
          keyArn: expect.stringContaining(ids.unknown ?? "?"),
          reason: "no classification",
        }),
      ]);

      const again = await runCli(["adopt", "--out", adoptDir], { env: sandbox.env() });
      expect(again.code).toBe(2);
      expect(again.stderr).toContain("keyplan.yaml exists");

      const out = join(dir, "out");
      const synth = await runCli(
        [
          "synth",
          "--plan",
          join(adoptDir, "keyplan.yaml"),
          "--adopt",
          adoptDir,
          "--sandbox",
          sandbox.url,
          "--out",
          out,
        ],
        { env: sandbox.env() },
      );
      expect(synth.code).toBe(0);
      const stackDir =
        synth.stdout
          .trim()
          .split("\n")[0]
          ?.replace(/\/cdk\.tf\.json$/, "") ?? "";
      const stack = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as {
        import: { to: string; id: string }[];
      };
      expect(stack.import.map((block) => block.id).sort()).toEqual(
        [
          ids.tagged,
          ids.aliased,
          "alias/acme/orders/internal/sqs",
          "alias/acme/payments/restricted/s3",
        ].sort(),
      );

      const init = await runTerraform(stackDir, ["init", "-input=false", "-no-color"]);
      expect(init.code).toBe(0);
      const planned = await runTerraform(stackDir, ["plan", "-input=false", "-no-color"]);
      expect(planned.stderr).toBe("");
      expect(planned.code).toBe(0);
      expect(planned.stdout).toMatch(/Plan: 4 to import, \d+ to add, \d+ to change, 0 to destroy\./);
      expect(planned.stdout).not.toContain("must be replaced");
      expect(planned.stdout).not.toContain("forces replacement");
    }, 240_000);
  },
);
