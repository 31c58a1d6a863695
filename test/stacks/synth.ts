import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");
export const MAIN = join(ROOT, "dist", "stacks", "main.js");

export interface SynthResult {
  code: number;
  stderr: string;
  dir: string;
  outdir: string;
}

/** Runs the compiled app as cdktf.json does, in a fresh temp dir holding `planFile` as keyplan.yaml. */
export function synthPlan(planFile: string, env: Record<string, string> = {}): Promise<SynthResult> {
  const dir = mkdtempSync(join(tmpdir(), "keyplane-synth-"));
  cpSync(planFile, join(dir, "keyplan.yaml"));
  const outdir = join(dir, "out");
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN],
      { cwd: dir, env: { ...process.env, CDKTF_OUTDIR: outdir, KEYPLANE_SANDBOX_URL: "", ...env } },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr, dir, outdir }),
    );
  });
}

export type TerraformJson = {
  terraform: Record<string, unknown>;
  provider: { aws: Record<string, unknown>[] };
  resource: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: Record<string, Record<string, unknown>> }>;
};

export function stackJson(outdir: string, stack: string): TerraformJson {
  return JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as TerraformJson;
}
