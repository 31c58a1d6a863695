import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { delimiter, join } from "node:path";

export const MIRROR_DIR = "/opt/tf-plugins";
const TERRAFORMRC = join(__dirname, "terraformrc");

/** The terraform binary on PATH (or /usr/local/bin), or undefined when it is not installed. */
export function terraformBinary(): string | undefined {
  const candidates = [...(process.env.PATH ?? "").split(delimiter), "/usr/local/bin"].map((dir) =>
    join(dir, "terraform"),
  );
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Environment for running terraform in tests: the offline mirror when this machine has it (otherwise
 * Terraform installs the provider as on a user's machine), no checkpoint calls, dummy credentials so
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
  if (existsSync(MIRROR_DIR)) {
    env.TF_CLI_CONFIG_FILE = TERRAFORMRC;
    mkdirSync("/tmp/keyplane-tf-plugin-cache", { recursive: true });
  }
  return env;
}

export interface TerraformResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs terraform in `cwd`; resolves with exit code and output (does not throw on non-zero). */
export function runTerraform(
  cwd: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<TerraformResult> {
  const binary = terraformBinary();
  if (!binary) throw new Error("terraform is not installed");
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

/**
 * `describe` when terraform is installed; otherwise a skipped block that says why, so a missing binary is
 * reported as skipped, never as passed.
 */
export function describeWithTerraform(name: string, body: () => void): void {
  if (terraformBinary()) {
    describe(name, body);
  } else {
    describe.skip(`${name} [SKIPPED: terraform binary not found on PATH]`, body);
    // eslint-style visibility: say it once in the output too
    console.warn(`skipping "${name}": terraform is not installed`);
  }
}
