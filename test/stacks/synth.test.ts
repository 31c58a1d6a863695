import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { planYaml, variant } from "./plans";
import { ROOT, type SynthResult, stackJson, synthPlan } from "./synth";

const EXAMPLE = join(ROOT, "keyplan.example.yaml");
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

describe("node dist/stacks/main.js", () => {
  test("synthesizes the example: keys, external keys without material, aliases, replicas, monitoring, manifest", async () => {
    const result = await synth(EXAMPLE);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const json = stackJson(result.outdir, "acme-security-us-east-1");
    // State beside the output folder, never in it: people delete cdktf.out.
    expect(json.terraform.backend).toEqual({
      local: { path: "../../../terraform-state/terraform.acme-security-us-east-1.tfstate" },
    });
    expect(existsSync(join(result.dir, "terraform-state"))).toBe(true);
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

  test("a guardrail error fails synth with its finding (exit 3), nothing written", async () => {
    const result = await synth(writePlan(variant({ budget: { maxKeys: 2 } })));
    expect(result.code).toBe(3);
    expect(result.stderr.split("\n")).toEqual([
      "keyplane: error KP-BUDGET acme (budget.maxKeys): the plan creates 5 keys (4 data, 1 monitoring); budget.maxKeys is 2 (fix: share keys across services (shareAcrossServices: true), use aws-managed keys for public data, or raise budget.maxKeys)",
      "keyplane: keyplan.yaml: 1 guardrail error(s); nothing synthesized (fix them, or add a suppress entry with a reason)",
      "",
    ]);
    expect(readdirSync(result.dir)).toEqual(["keyplan.yaml"]);
  });

  test("sandbox mode: KMS and STS endpoints, the deploy role assumed there, no credentials, no monitoring, local backend", async () => {
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
        assume_role: [
          { role_arn: "arn:aws:iam::222222222222:role/KeyplaneDeploy", session_name: "keyplane" },
        ],
        skip_metadata_api_check: "true",
        skip_credentials_validation: true,
        skip_region_validation: true,
        skip_requesting_account_id: true,
      },
    ]);
    expect(json.terraform.backend).toEqual({
      local: { path: "../../../terraform-state/terraform.acme-222222222222-us-east-1.tfstate" },
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
