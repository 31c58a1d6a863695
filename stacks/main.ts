/**
 * The app cdktf.json runs: ./keyplan.yaml (or KEYPLANE_PLAN) -> guardrails -> one stack per account x region.
 * KEYPLANE_SANDBOX_URL switches to sandbox mode (KMS and STS at that URL, no monitoring). Errors end as one
 * line on stderr and exit code 1, before anything is written.
 */
import { existsSync, rmSync } from "node:fs";
import { isKeyplaneError, KeyplaneError } from "../byok/errors";
import { buildApp } from "./app";
import { errorsOf, formatFinding } from "./guardrails/evaluate";
import { lintPlan } from "./guardrails/lint-plan";
import { derivePlan } from "./plan/derive";
import { defaultPlanFile, loadPlanFile } from "./plan/load";

function run(): void {
  const file = defaultPlanFile();
  const sandboxUrl = process.env.KEYPLANE_SANDBOX_URL || undefined;
  const derived = derivePlan(loadPlanFile(file), { sandbox: sandboxUrl !== undefined });
  const findings = lintPlan(derived, { sandbox: sandboxUrl !== undefined, source: file });
  for (const finding of findings) process.stderr.write(`keyplane: ${formatFinding(finding)}\n`);
  const errors = errorsOf(findings);
  if (errors.length > 0) {
    throw new KeyplaneError("PLAN", `${file}: ${errors.length} guardrail error(s); nothing synthesized`, {
      hint: "fix them, or add a suppress entry with a reason",
    });
  }
  buildApp(derived, sandboxUrl ? { sandboxUrl } : {}).synth();
}

// cdktf's App creates its output folder as it is constructed: a synth that fails after that must not
// leave a folder behind that looks like output.
const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
const outdirExisted = existsSync(outdir);
try {
  run();
} catch (error) {
  if (!outdirExisted) rmSync(outdir, { recursive: true, force: true });
  const line = isKeyplaneError(error)
    ? error.oneLine()
    : `unexpected error: ${(error instanceof Error ? error.message : String(error)).split("\n", 1)[0]}`;
  process.stderr.write(`keyplane: ${line}\n`);
  process.exitCode = 1;
}
