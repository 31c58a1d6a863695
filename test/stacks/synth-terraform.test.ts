import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runTerraform } from "../support/terraform";
import { describeWithTool, TERRAFORM } from "../support/tools";
import { ROOT, type SynthResult, stackJson, synthPlan } from "./synth";

// The example plan applied to the sandbox (keys, tags, aliases, manifest, no drift, destroy) is
// test/sandbox/stacks-e2e.test.ts, both examples applied as their deploy roles on an enforcing sandbox
// test/policies/deploy-apply.test.ts; this file checks what Terraform says of the synthesized examples.
const EXAMPLE = join(ROOT, "keyplan.example.yaml");
const DECENTRALIZED = join(ROOT, "examples", "decentralized.keyplan.yaml");
const dirs: string[] = [];
async function synth(planFile: string, env: Record<string, string> = {}): Promise<SynthResult> {
  const result = await synthPlan(planFile, env);
  dirs.push(result.dir);
  // Sandbox mode notes the monitoring findings it suppresses on stderr; the exit code is what counts.
  expect(result.code).toBe(0);
  return result;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Skip flags so terraform plan contacts nothing (added as an override file, as an operator would), and no
 * assume_role: configuring the provider would call STS for the deploy role (an override cannot remove a block).
 */
function offlineOverride(stackDir: string, providers: Record<string, unknown>[]): void {
  const file = join(stackDir, "cdk.tf.json");
  const json = JSON.parse(readFileSync(file, "utf8")) as { provider: { aws: Record<string, unknown>[] } };
  for (const provider of json.provider.aws) delete provider.assume_role;
  writeFileSync(file, JSON.stringify(json));
  const flags = {
    skip_credentials_validation: true,
    skip_metadata_api_check: "true",
    skip_region_validation: true,
    skip_requesting_account_id: true,
  };
  writeFileSync(
    join(stackDir, "override.tf.json"),
    JSON.stringify({
      provider: {
        aws: providers.map((p) => ({ ...(p.alias ? { alias: p.alias } : {}), region: p.region, ...flags })),
      },
    }),
  );
}

describeWithTool(TERRAFORM, "synthesized examples under real terraform", () => {
  test("keyplan.example.yaml: terraform validate and plan, nothing contacted", async () => {
    const result = await synth(EXAMPLE);
    const stackDir = join(result.outdir, "stacks", "acme-security-us-east-1");
    offlineOverride(stackDir, stackJson(result.outdir, "acme-security-us-east-1").provider.aws);
    expect((await runTerraform(stackDir, ["init", "-no-color"])).code).toBe(0);
    const validate = await runTerraform(stackDir, ["validate", "-no-color"]);
    expect(validate.stdout).toContain("Success! The configuration is valid.");
    const plan = await runTerraform(stackDir, ["plan", "-no-color", "-input=false"]);
    expect(plan.stderr).toBe("");
    expect(plan.stdout).toContain("Plan: 32 to add, 0 to change, 0 to destroy.");
  }, 180_000);

  // Applied (as the deploy role of each account, on an enforcing sandbox): test/policies/deploy-apply.test.ts.
  test("examples/decentralized.keyplan.yaml: each stack validates as written", async () => {
    const written = await synth(DECENTRALIZED);
    for (const stack of ["globex-666666666666-eu-central-1", "globex-777777777777-eu-central-1"]) {
      const dir = join(written.outdir, "stacks", stack);
      expect((await runTerraform(dir, ["init", "-backend=false", "-no-color"])).code).toBe(0);
      expect((await runTerraform(dir, ["validate", "-no-color"])).stdout).toContain("Success!");
    }
  }, 180_000);
});

// cdktf-cli needs no terraform for synth, but loads for seconds: it lives with the slow tests.
describe("the cdktf CLI", () => {
  test("npx cdktf synth runs the app as cdktf.json says", async () => {
    const result = await synth(EXAMPLE);
    const cdktf = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        join(ROOT, "node_modules", ".bin", "cdktf"),
        ["synth", "--output", result.outdir],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            CHECKPOINT_DISABLE: "1",
            KEYPLANE_PLAN: join(result.dir, "keyplan.yaml"),
            KEYPLANE_SANDBOX_URL: "",
          },
        },
        (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
      );
    });
    expect(cdktf.code).toBe(0);
    expect(
      Object.keys(stackJson(result.outdir, "acme-security-us-east-1").resource.aws_kms_key!),
    ).toHaveLength(6);
  }, 120_000);
});
