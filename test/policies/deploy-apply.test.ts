/**
 * `keyplane synth --sandbox`, then `terraform apply` on a sandbox that enforces key and identity policies,
 * for both example plans: each stack's provider signs with a CI user's access key (the standard AWS
 * environment variables), assumes the plan's deploy role of its account through the sandbox's STS, and
 * creates the keys as that role. The synthesized policies name it, so AWS's lockout safety check passes
 * without BypassPolicyLockoutSafetyCheck; a principal the plan does not name is refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeKeyCommand, ListAliasesCommand } from "@aws-sdk/client-kms";
import { derivePlan, stackKeys } from "../../stacks/plan/derive";
import { loadPlanFile } from "../../stacks/plan/load";
import { runCli } from "../support/cli";
import { runTerraform, terraformRoundTrip } from "../support/terraform";
import { describeWithTool, TERRAFORM } from "../support/tools";
import {
  accessKeyOf,
  CI_ACCESS_KEY,
  type PrincipalSandbox,
  planPrincipals,
  startWithPrincipals,
} from "./principals";

const ROOT = join(__dirname, "..", "..");
/** `keyplane synth --sandbox URL` into DIR/out; the stack folders. */
async function synth(planFile: string, dir: string, url: string): Promise<string> {
  const result = await runCli(["synth", "--plan", planFile, "--out", join(dir, "out"), "--sandbox", url], {
    cwd: dir,
  });
  expect(result.code).toBe(0);
  return join(dir, "out", "stacks");
}

const ciEnv = (world: PrincipalSandbox) => world.env(CI_ACCESS_KEY);

describeWithTool(TERRAFORM, "terraform apply as the plan's deploy role, --enforce-policies", () => {
  const cases = [
    {
      name: "centralized keyplan.example.yaml",
      file: join(ROOT, "keyplan.example.yaml"),
      region: "us-east-1",
    },
    {
      name: "decentralized examples/decentralized.keyplan.yaml",
      file: join(ROOT, "examples", "decentralized.keyplan.yaml"),
      region: "eu-central-1",
    },
  ];
  // The three applies run side by side: Terraform's provider spends an apply waiting for keys to settle.
  test.concurrent.each(cases)(
    "$name: every stack applies as its deploy role, keys in the stack's account, no drift",
    async ({ file, region }) => {
      const derived = derivePlan(loadPlanFile(file), { sandbox: true });
      const principals = planPrincipals(derived);
      const world = await startWithPrincipals(principals, { enforce: true, region });
      const dir = mkdtempSync(join(tmpdir(), "keyplane-deploy-apply-"));
      try {
        const stacksDir = await synth(file, dir, world.sandbox.url);
        const trips = await Promise.all(
          derived.stacks.map((stack) => terraformRoundTrip(join(stacksDir, stack.id), ciEnv(world))),
        );
        for (const trip of trips) {
          expect(trip.apply.stderr).toBe("");
          expect(trip.apply.stdout).toMatch(/Apply complete! Resources: \d+ added/);
          expect(trip.plan.stdout).toContain("No changes.");
          expect(trip.plan.code).toBe(0);
        }
        for (const stack of derived.stacks) {
          // The deploy role reads its own account's keys back (its key-policy statement allows DescribeKey).
          const kms = world.kms(accessKeyOf(principals, stack.deployRoleArn), { region: stack.region });
          const aliases = ((await kms.send(new ListAliasesCommand({}))).Aliases ?? []).filter((alias) =>
            alias.AliasName?.startsWith(`alias/${derived.plan.name}/`),
          );
          expect(aliases.map((alias) => alias.AliasName).sort()).toEqual(
            stackKeys(stack)
              .map((key) => key.alias)
              .sort(),
          );
          for (const alias of aliases) {
            const key = (await kms.send(new DescribeKeyCommand({ KeyId: alias.AliasName }))).KeyMetadata;
            expect(key?.AWSAccountId).toBe(stack.account);
            expect(key?.Arn).toMatch(new RegExp(`^arn:aws:kms:${stack.region}:${stack.account}:key/`));
          }
        }
      } finally {
        await world.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    600_000,
  );

  test.concurrent("a principal the plan does not name cannot apply the stack: AccessDeniedException", async () => {
    const plan = join(ROOT, "demo", "keyplan.demo.yaml");
    const derived = derivePlan(loadPlanFile(plan), { sandbox: true });
    const intruder = "arn:aws:iam::111111111111:role/Intruder";
    const principals = planPrincipals(derived, [{ arn: intruder, accessKeyId: "AKIAINTRUDER00000001" }]);
    const world = await startWithPrincipals(principals, { enforce: true });
    const dir = mkdtempSync(join(tmpdir(), "keyplane-deploy-apply-"));
    try {
      const stack = join(await synth(plan, dir, world.sandbox.url), derived.stacks[0]?.id ?? "");
      // The same configuration applied as another role: the provider assumes it instead of the deploy role.
      const file = join(stack, "cdk.tf.json");
      const json = JSON.parse(readFileSync(file, "utf8")) as {
        provider: { aws: { assume_role: { role_arn: string }[] }[] };
      };
      const assumed = json.provider.aws[0]?.assume_role[0];
      expect(assumed?.role_arn).toBe(derived.stacks[0]?.deployRoleArn);
      if (assumed) assumed.role_arn = intruder;
      writeFileSync(file, JSON.stringify(json));
      expect((await runTerraform(stack, ["init", "-no-color"], ciEnv(world))).code).toBe(0);
      const apply = await runTerraform(stack, ["apply", "-auto-approve", "-no-color"], ciEnv(world));
      expect(apply.code).toBe(1);
      expect(apply.stderr).toMatch(
        /AccessDeniedException: User: arn:aws:sts::111111111111:assumed-role\/Intruder\/keyplane is not authorized to perform: kms:CreateKey/,
      );
      const deployer = world.kms(accessKeyOf(principals, derived.stacks[0]?.deployRoleArn ?? ""));
      expect((await deployer.send(new ListAliasesCommand({}))).Aliases ?? []).toEqual([]);
    } finally {
      await world.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
