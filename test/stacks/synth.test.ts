import { execFile } from "node:child_process";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DescribeKeyCommand, ListResourceTagsCommand } from "@aws-sdk/client-kms";
import { type SandboxHandle, startSandbox } from "../support/sandbox";
import { runTerraform } from "../support/terraform";
import { describeWithTool, TERRAFORM } from "../support/tools";
import { planYaml, variant } from "./plans";
import { ROOT, type SynthResult, stackJson, synthPlan } from "./synth";

const EXAMPLE = join(ROOT, "keyplan.example.yaml");
const DECENTRALIZED = join(ROOT, "examples", "decentralized.keyplan.yaml");
const dirs: string[] = [];
async function synth(planFile: string, env: Record<string, string> = {}): Promise<SynthResult> {
  const result = await synthPlan(planFile, env);
  dirs.push(result.dir);
  return result;
}
function writePlan(plan: Record<string, unknown>): string {
  const result = join(ROOT, "node_modules", ".cache", `keyplane-test-${process.pid}-${dirs.length}.yaml`);
  writeFileSync(result, planYaml(plan));
  dirs.push(result);
  return result;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Skip flags so terraform plan contacts nothing (added as an override file, as an operator would). */
function offlineOverride(stackDir: string, providers: Record<string, unknown>[]): void {
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

describe("node dist/stacks/main.js", () => {
  test("synthesizes the example: keys, external keys without material, aliases, replicas, monitoring, manifest", async () => {
    const result = await synth(EXAMPLE);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const json = stackJson(result.outdir, "acme-security-us-east-1");
    expect(json.terraform.backend).toEqual({ local: { path: "terraform.acme-security-us-east-1.tfstate" } });
    const keys = Object.values(json.resource.aws_kms_key!);
    const sqs = keys.find((key) => key.description === "keyplane acme: internal data of payments (sqs)")!;
    expect(sqs).toMatchObject({
      enable_key_rotation: true,
      rotation_period_in_days: 365,
      deletion_window_in_days: 30,
      is_enabled: true,
    });
    expect(typeof sqs.policy).toBe("string");
    const external = Object.values(json.resource.aws_kms_external_key!);
    expect(external).toHaveLength(2);
    for (const key of external) {
      expect(key).not.toHaveProperty("key_material_base64");
      expect(key).not.toHaveProperty("enabled");
      expect(key.tags).toMatchObject({ "keyplane:material-validity-days": "180" });
    }
    expect(Object.keys(json.resource.aws_kms_replica_key!)).toHaveLength(1);
    expect(Object.keys(json.resource.aws_cloudwatch_metric_alarm!)).toHaveLength(2);
    expect(Object.values(json.resource.aws_cloudtrail!)[0]).toMatchObject({
      is_multi_region_trail: true,
      enable_log_file_validation: true,
    });
    expect(Object.keys(json.output.key_manifest!.value)).toContain("alias/acme/payments/restricted/s3");
  });

  test("is deterministic: two synths give the same Terraform", async () => {
    const [first, second] = await Promise.all([synth(EXAMPLE), synth(EXAMPLE)]);
    expect(stackJson(first.outdir, "acme-security-us-east-1")).toEqual(
      stackJson(second.outdir, "acme-security-us-east-1"),
    );
  });

  test("a malformed plan: one line on stderr, exit 1, nothing written", async () => {
    const result = await synth(writePlan(variant({ "applications.payments.data.secret": ["s3"] })));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "keyplane: keyplan.yaml: applications.payments.data.secret: unknown classification 'secret' (known: public, internal, confidential, restricted)\n",
    );
    expect(readdirSync(result.dir)).toEqual(["keyplan.yaml"]);
  });

  test("a guardrail error fails synth with its finding, nothing written", async () => {
    const result = await synth(writePlan(variant({ budget: { maxKeys: 2 } })));
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")).toEqual([
      "keyplane: error KP-BUDGET acme: the plan derives 4 keys; budget.maxKeys is 2 (fix: share keys across services (shareAcrossServices: true), use aws-managed keys for public data, or raise budget.maxKeys)",
      "keyplane: keyplan.yaml: 1 guardrail error(s); nothing synthesized (fix them, or add a suppress entry with a reason)",
      "",
    ]);
    expect(readdirSync(result.dir)).toEqual(["keyplan.yaml"]);
  });

  test("sandbox mode: KMS and STS endpoints, skip flags, no assume_role, no monitoring, local backend", async () => {
    const plan = writePlan(
      variant({
        management: "decentralized",
        backend: { s3: { bucket: "acme-state", key: "keyplane", region: "us-east-1" } },
      }),
    );
    const result = await synth(plan, { KEYPLANE_SANDBOX_URL: "http://127.0.0.1:4566" });
    expect(result.code).toBe(0);
    const json = stackJson(result.outdir, "acme-222222222222-us-east-1");
    expect(json.provider.aws).toEqual([
      {
        region: "us-east-1",
        endpoints: [{ kms: "http://127.0.0.1:4566", sts: "http://127.0.0.1:4566" }],
        skip_credentials_validation: true,
        skip_metadata_api_check: "true",
        skip_region_validation: true,
        skip_requesting_account_id: true,
      },
    ]);
    expect(json.terraform.backend).toEqual({
      local: { path: "terraform.acme-222222222222-us-east-1.tfstate" },
    });
    expect(Object.keys(json.resource).sort()).toEqual([
      "aws_kms_alias",
      "aws_kms_external_key",
      "aws_kms_key",
    ]);
  });

  test("decentralized: a provider assuming the deploy role; S3 backend with a lock file", async () => {
    const plan = writePlan(
      variant({
        management: "decentralized",
        backend: { s3: { bucket: "acme-state", key: "keyplane", region: "us-east-1" } },
      }),
    );
    const result = await synth(plan);
    expect(result.code).toBe(0);
    const json = stackJson(result.outdir, "acme-333333333333-us-east-1");
    expect(json.provider.aws[0]).toEqual({
      region: "us-east-1",
      assume_role: [{ role_arn: "arn:aws:iam::333333333333:role/KeyplaneDeploy", session_name: "keyplane" }],
    });
    expect(json.terraform.backend).toEqual({
      s3: {
        bucket: "acme-state",
        key: "keyplane/acme-333333333333-us-east-1.tfstate",
        region: "us-east-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });
});

describeWithTool(TERRAFORM, "synthesized examples under real terraform", () => {
  let sandbox: SandboxHandle | undefined;
  afterAll(async () => {
    await sandbox?.stop();
  });

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

  test("examples/decentralized.keyplan.yaml: validate as written; plan, apply and no drift in sandbox mode (no assume_role)", async () => {
    const written = await synth(DECENTRALIZED);
    const writtenDir = join(written.outdir, "stacks", "globex-666666666666-eu-central-1");
    expect((await runTerraform(writtenDir, ["init", "-no-color"])).code).toBe(0);
    expect((await runTerraform(writtenDir, ["validate", "-no-color"])).stdout).toContain("Success!");

    sandbox = await startSandbox({ region: "eu-central-1" });
    const rehearsal = await synth(DECENTRALIZED, { KEYPLANE_SANDBOX_URL: sandbox.url });
    for (const stack of ["globex-666666666666-eu-central-1", "globex-777777777777-eu-central-1"]) {
      const stackDir = join(rehearsal.outdir, "stacks", stack);
      expect((await runTerraform(stackDir, ["init", "-no-color"])).code).toBe(0);
      const plan = await runTerraform(stackDir, ["plan", "-no-color", "-input=false"], sandbox.env());
      expect(plan.stderr).toBe("");
      expect(plan.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
      // Applied, the signing (ECC) and shared keys show no drift either.
      expect(
        (await runTerraform(stackDir, ["apply", "-auto-approve", "-no-color"], sandbox.env())).code,
      ).toBe(0);
      const again = await runTerraform(stackDir, ["plan", "-detailed-exitcode", "-no-color"], sandbox.env());
      expect(again.stdout).toContain("No changes.");
      expect(again.code).toBe(0);
    }
  }, 400_000);

  test("keyplan.example.yaml in sandbox mode: apply, then plan shows no drift; BYOK keys wait in PendingImport", async () => {
    const local = await startSandbox();
    try {
      const result = await synth(EXAMPLE, { KEYPLANE_SANDBOX_URL: local.url });
      const stackDir = join(result.outdir, "stacks", "acme-security-us-east-1");
      expect((await runTerraform(stackDir, ["init", "-no-color"])).code).toBe(0);
      const apply = await runTerraform(stackDir, ["apply", "-auto-approve", "-no-color"], local.env());
      expect(apply.stderr).toBe("");
      expect(apply.code).toBe(0);
      const plan = await runTerraform(stackDir, ["plan", "-detailed-exitcode", "-no-color"], local.env());
      expect(plan.stdout).toContain("No changes.");
      expect(plan.code).toBe(0);
      const kms = local.kms();
      const byok = await kms.send(new DescribeKeyCommand({ KeyId: "alias/acme/payments/restricted/s3" }));
      expect(byok.KeyMetadata).toMatchObject({ Origin: "EXTERNAL", KeyState: "PendingImport" });
      const tags = await kms.send(new ListResourceTagsCommand({ KeyId: byok.KeyMetadata!.KeyId! }));
      expect(tags.Tags).toEqual(
        expect.arrayContaining([
          { TagKey: "keyplane:classification", TagValue: "restricted" },
          { TagKey: "keyplane:material-validity-days", TagValue: "180" },
        ]),
      );
      const output = await runTerraform(stackDir, ["output", "-json"], local.env());
      const manifest = JSON.parse(output.stdout).key_manifest.value;
      expect(manifest["alias/acme/payments/restricted/s3"]).toMatchObject({
        arn: byok.KeyMetadata!.Arn,
        classification: "restricted",
        origin: "EXTERNAL",
      });
    } finally {
      await local.stop();
    }
  }, 300_000);

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
