import { execFile } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TERRAFORM } from "./tools";

/**
 * The offline provider mirror of machines without registry access: KEYPLANE_TF_MIRROR when set, else
 * /opt/tf-plugins when that folder exists. Without either (and without the user's own TF_CLI_CONFIG_FILE)
 * Terraform installs the provider as on a user's machine.
 */
export function providerMirror(): string | undefined {
  const configured = process.env.KEYPLANE_TF_MIRROR;
  if (configured) return configured;
  return existsSync("/opt/tf-plugins") ? "/opt/tf-plugins" : undefined;
}

let cliConfig: string | undefined;

/** A CLI configuration naming the mirror, with one plugin cache so each `init` links instead of copying. */
function mirrorCliConfig(mirror: string): string {
  if (cliConfig) return cliConfig;
  const cache = join(tmpdir(), "keyplane-tf-plugin-cache");
  mkdirSync(cache, { recursive: true });
  cliConfig = join(tmpdir(), `keyplane-terraformrc-${process.pid}`);
  writeFileSync(
    cliConfig,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n` +
      `plugin_cache_dir = ${JSON.stringify(cache)}\ndisable_checkpoint = true\n`,
  );
  return cliConfig;
}

/**
 * Environment for running terraform in tests: the offline mirror when there is one (an existing
 * TF_CLI_CONFIG_FILE is Terraform's own way and is kept unless KEYPLANE_TF_MIRROR names a mirror; one naming
 * a missing file, as on this kind of machine, is replaced), no checkpoint calls, dummy credentials so
 * nothing real is ever contacted.
 */
export function terraformEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    AWS_ACCESS_KEY_ID: "AKIAKEYPLANETEST0000",
    AWS_SECRET_ACCESS_KEY: "keyplane-test-secret",
    AWS_SESSION_TOKEN: "",
    AWS_EC2_METADATA_DISABLED: "true",
    ...extra,
  };
  const mirror = providerMirror();
  const own = process.env.TF_CLI_CONFIG_FILE;
  if (mirror && (process.env.KEYPLANE_TF_MIRROR || !own || !existsSync(own))) {
    env.TF_CLI_CONFIG_FILE = mirrorCliConfig(mirror);
  }
  return env;
}

export interface TerraformResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `terraform init`s of this process, one at a time: they share one plugin cache, which Terraform does not
 * guarantee safe for concurrent use (tests apply several stacks side by side).
 */
let initQueue: Promise<unknown> = Promise.resolve();

/** Runs terraform in `cwd`; resolves with exit code and output (does not throw on non-zero). */
export function runTerraform(
  cwd: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<TerraformResult> {
  if (args[0] === "init") {
    const run = initQueue.then(() => execTerraform(cwd, args, extraEnv));
    initQueue = run;
    return run;
  }
  return execTerraform(cwd, args, extraEnv);
}

function execTerraform(
  cwd: string,
  args: string[],
  extraEnv: Record<string, string>,
): Promise<TerraformResult> {
  const binary = TERRAFORM.find();
  return new Promise((resolve) => {
    execFile(
      binary,
      args,
      { cwd, env: terraformEnv(extraEnv), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** What each step of a round trip printed. */
export interface RoundTrip {
  init: TerraformResult;
  apply: TerraformResult;
  /** `plan -detailed-exitcode` after apply: exit 0 and "No changes." mean no drift. */
  plan: TerraformResult;
  destroy?: TerraformResult;
}

async function step(dir: string, args: string[], env: Record<string, string>, ok: number[] = [0]) {
  const result = await runTerraform(dir, args, env);
  if (!ok.includes(result.code)) {
    throw new Error(
      `terraform ${args[0]} exited ${result.code}:\n${(result.stderr || result.stdout).trim()}`,
    );
  }
  return result;
}

/**
 * init, apply, `plan -detailed-exitcode`, and destroy when asked: the sequence every Terraform end-to-end
 * test runs. A failing init, apply or destroy throws with Terraform's own message, so the test names the
 * step that failed instead of a cascade of assertions; the plan's exit code is the caller's to assert.
 */
export async function terraformRoundTrip(
  dir: string,
  env: Record<string, string>,
  options: { destroy?: boolean; afterApply?: () => Promise<void> } = {},
): Promise<RoundTrip> {
  const init = await step(dir, ["init", "-no-color"], env);
  const apply = await step(dir, ["apply", "-auto-approve", "-no-color"], env);
  await options.afterApply?.();
  const plan = await step(dir, ["plan", "-detailed-exitcode", "-no-color"], env, [0, 1, 2]);
  if (!options.destroy) return { init, apply, plan };
  return { init, apply, plan, destroy: await step(dir, ["destroy", "-auto-approve", "-no-color"], env) };
}
