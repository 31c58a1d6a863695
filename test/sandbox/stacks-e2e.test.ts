import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DescribeKeyCommand, ListAliasesCommand, ListResourceTagsCommand } from "@aws-sdk/client-kms";
import { derivePlan } from "../../stacks/plan/derive";
import { loadPlanFile } from "../../stacks/plan/load";
import { ROOT, type SynthResult, synthPlan } from "../stacks/synth";
import { type SandboxHandle, startSandbox } from "../support/sandbox";
import { type RoundTrip, runTerraform, terraformRoundTrip } from "../support/terraform";
import { describeWithTool, TERRAFORM } from "../support/tools";

const EXAMPLE_PLAN = join(ROOT, "keyplan.example.yaml");
const STACK = "acme-security-us-east-1";

// The one apply of the example plan in the suite: synth in sandbox mode (monitoring off), init, apply, the
// keys KMS now holds, no drift, the manifest output, destroy.
describeWithTool(TERRAFORM, "the synthesized example plan against the sandbox", () => {
  let sandbox: SandboxHandle;
  let synthesized: SynthResult;
  /** The keys as KMS describes them right after apply (destroy runs before the tests read them). */
  let afterApply: {
    alias: string;
    origin?: string;
    state?: string;
    arn?: string;
    tags: Record<string, string>;
  }[];
  let manifest: Record<string, Record<string, unknown>>;
  let trip: RoundTrip;

  beforeAll(async () => {
    sandbox = await startSandbox();
    synthesized = await synthPlan(EXAMPLE_PLAN, { KEYPLANE_SANDBOX_URL: sandbox.url });
    // Sandbox mode reports the guardrails it suppresses (monitoring is off there) on stderr.
    expect(synthesized.code).toBe(0);
    expect(readdirSync(join(synthesized.outdir, "stacks"))).toEqual([STACK]);
    const dir = join(synthesized.outdir, "stacks", STACK);
    const kms = sandbox.kms();
    trip = await terraformRoundTrip(dir, sandbox.env(), {
      destroy: true,
      afterApply: async () => {
        const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases ?? [];
        afterApply = await Promise.all(
          aliases.map(async ({ AliasName }) => {
            const key = (await kms.send(new DescribeKeyCommand({ KeyId: AliasName }))).KeyMetadata!;
            const tags = (await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags ?? [];
            return {
              alias: AliasName!,
              origin: key.Origin,
              state: key.KeyState,
              arn: key.Arn,
              tags: Object.fromEntries(tags.map((tag) => [tag.TagKey, tag.TagValue])),
            };
          }),
        );
        manifest = JSON.parse((await runTerraform(dir, ["output", "-json"], sandbox.env())).stdout)
          .key_manifest.value;
      },
    });
  }, 900_000);
  afterAll(async () => {
    await sandbox.stop();
    rmSync(synthesized.dir, { recursive: true, force: true });
  });

  test("apply creates exactly the plan's keys: BYOK keys wait in PendingImport, the others are Enabled", () => {
    expect(trip.apply.stderr).toBe("");
    const derived = derivePlan(loadPlanFile(EXAMPLE_PLAN), { sandbox: true }).keys;
    expect(afterApply.map((key) => key.alias).sort()).toEqual(derived.map((key) => key.alias).sort());
    for (const key of derived) {
      expect(afterApply.find((found) => found.alias === key.alias)).toMatchObject({
        origin: key.origin,
        state: key.origin === "EXTERNAL" ? "PendingImport" : "Enabled",
        tags: expect.objectContaining(key.tags),
      });
    }
    expect(derived.filter((key) => key.origin === "EXTERNAL").length).toBeGreaterThan(0);
  });

  test("the key_manifest output names each key's ARN, classification and origin", () => {
    for (const key of afterApply) {
      expect(manifest[key.alias]).toMatchObject({
        arn: key.arn,
        origin: key.origin,
        classification: key.tags["keyplane:classification"],
      });
    }
  });

  test("plan after apply shows no drift; destroy removes every alias", async () => {
    expect(trip.plan.stderr).toBe("");
    expect(trip.plan.stdout).toContain("No changes.");
    expect(trip.plan.code).toBe(0);
    expect(trip.destroy?.stderr).toBe("");
    expect((await sandbox.kms().send(new ListAliasesCommand({}))).Aliases).toEqual([]);
  });
});
