#!/usr/bin/env node
// `terraform plan` of the generated 1,500-key plan, as context for synth time: what a user waits for in a
// `cdktf synth && terraform plan` workflow. The stack is synthesized, its provider is told to contact
// nothing (skip credential, region and account checks; nothing exists yet so nothing is refreshed),
// Terraform initialises from the offline mirror when this machine has one, then plan is timed.
// Usage: node bench/terraform-plan.js [keys]   (needs `npm run build` and terraform)
const { spawnSync } = require("node:child_process");
const {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { generatePlan } = require("./generate-plan");
const { machine, record } = require("./lib");

const KEYS = Number(process.argv[2] ?? 1500);
const MAIN = join(__dirname, "..", "dist", "stacks", "main.js");
const MIRROR = "/opt/tf-plugins";

function timed(command, args, options) {
  const begin = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 30, ...options });
  const ms = Number(process.hrtime.bigint() - begin) / 1e6;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.status}: ${(result.stderr || result.stdout).slice(-2000)}`,
    );
  }
  return { ms, stdout: result.stdout };
}

function main() {
  const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" });
  if (terraform.status !== 0) {
    console.log("SKIPPED: terraform is not installed; no figure recorded");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "keyplane-bench-tfplan-"));
  try {
    writeFileSync(join(dir, "keyplan.yaml"), generatePlan(KEYS));
    const env = { ...process.env, CDKTF_OUTDIR: join(dir, "out"), KEYPLANE_PLAN: join(dir, "keyplan.yaml") };
    delete env.KEYPLANE_SANDBOX_URL;
    const synth = timed(process.execPath, [MAIN], { cwd: dir, env });
    const stacks = readdirSync(join(dir, "out", "stacks"));
    const tfEnv = {
      ...process.env,
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      AWS_ACCESS_KEY_ID: "AKIABENCH",
      AWS_SECRET_ACCESS_KEY: "bench",
      AWS_EC2_METADATA_DISABLED: "true",
    };
    if (existsSync(MIRROR)) {
      tfEnv.TF_CLI_CONFIG_FILE = join(__dirname, "..", "test", "support", "terraformrc");
      mkdirSync("/tmp/keyplane-tf-plugin-cache", { recursive: true });
    }
    let planMs = 0;
    let resources = 0;
    for (const stack of stacks) {
      const stackDir = join(dir, "out", "stacks", stack);
      const config = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8"));
      const providers = config.provider?.aws ?? [];
      const offline = {
        skip_credentials_validation: true,
        skip_metadata_api_check: "true",
        skip_region_validation: true,
        skip_requesting_account_id: true,
      };
      writeFileSync(
        join(stackDir, "override.tf.json"),
        JSON.stringify({
          provider: {
            aws: providers.map((p) => ({
              ...(p.alias ? { alias: p.alias } : {}),
              region: p.region,
              ...offline,
            })),
          },
        }),
      );
      // The synthesized backend may be remote (S3): the benchmark plans against local state. The providers
      // assume the deploy role, which would call STS (an override file cannot remove a block): dropped.
      if (config.terraform?.backend && !config.terraform.backend.local) delete config.terraform.backend;
      for (const provider of providers) delete provider.assume_role;
      writeFileSync(join(stackDir, "cdk.tf.json"), JSON.stringify(config));
      timed("terraform", ["init", "-input=false", "-no-color"], { cwd: stackDir, env: tfEnv });
      const plan = timed("terraform", ["plan", "-input=false", "-lock=false", "-no-color"], {
        cwd: stackDir,
        env: tfEnv,
      });
      planMs += plan.ms;
      resources += Number(/Plan: (\d+) to add/.exec(plan.stdout)?.[1] ?? 0);
    }
    console.log(`terraform plan of the ${KEYS}-key plan (${machine()})`);
    console.log(
      `  synth ${(synth.ms / 1000).toFixed(1)} s; terraform plan ${(planMs / 1000).toFixed(1)} s for ${resources} resources in ${stacks.length} stack(s)`,
    );
    record("terraform-plan", [
      {
        figure: `terraform plan, ${KEYS} keys (${resources} resources)`,
        value: Math.round(planMs),
        unit: "ms",
      },
      { figure: `synth beside it, ${KEYS} keys (one run)`, value: Math.round(synth.ms), unit: "ms" },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
