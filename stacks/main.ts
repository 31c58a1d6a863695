/**
 * The app cdktf.json runs (`npx cdktf synth`): ./keyplan.yaml (or KEYPLANE_PLAN) -> guardrails -> one stack per
 * account x region, into CDKTF_OUTDIR. KEYPLANE_SANDBOX_URL switches to sandbox mode. The same synth as
 * `keyplane synth`: errors end as one line on stderr (exit 1; 3 for guardrail errors), before anything is
 * written.
 */
import { existsSync, rmSync } from "node:fs";
import { isKeyplaneError } from "../byok/errors";
import { defaultPlanFile } from "./plan/load";
import { findingLines, synthesize } from "./synth";

function run(): number {
  const planFile = defaultPlanFile();
  const sandboxUrl = process.env.KEYPLANE_SANDBOX_URL || undefined;
  const result = synthesize({
    planFile,
    out: process.env.CDKTF_OUTDIR || "cdktf.out",
    ...(sandboxUrl ? { sandboxUrl } : {}),
  });
  for (const line of findingLines(result.findings)) process.stderr.write(`keyplane: ${line}\n`);
  if (result.errors.length === 0) return 0;
  process.stderr.write(
    `keyplane: ${planFile}: ${result.errors.length} guardrail error(s); nothing synthesized (fix them, or add a suppress entry with a reason)\n`,
  );
  return 3;
}

// cdktf's App creates its output folder as it is constructed: a synth that fails after that must not
// leave a folder behind that looks like output.
const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
const outdirExisted = existsSync(outdir);
try {
  process.exitCode = run();
} catch (error) {
  if (!outdirExisted) rmSync(outdir, { recursive: true, force: true });
  const line = isKeyplaneError(error)
    ? error.oneLine()
    : `unexpected error: ${(error instanceof Error ? error.message : String(error)).split("\n", 1)[0]}`;
  process.stderr.write(`keyplane: ${line}\n`);
  process.exitCode = 1;
}
