import type { Command } from "commander";
import { usageError } from "../../byok/errors";
import type { BackendChoice } from "../../stacks/synth";
import { EXIT, type ExitCode } from "../exit-codes";
import { globalOptions } from "../global-options";
import { renderJson, say } from "../output";
import type { SynthFlags } from "./synth";

const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+?)\/?$/;

/** The backend flags as a choice; undefined when none was given. */
export function backendFromFlags(
  flags: Pick<SynthFlags, "backend" | "backendRegion">,
): BackendChoice | undefined {
  const { backend, backendRegion } = flags;
  if (backend === undefined) {
    if (backendRegion !== undefined)
      throw usageError("--backend-region: only with --backend s3://BUCKET/PREFIX");
    return undefined;
  }
  if (backend.startsWith("local:") && backend.length > "local:".length) {
    if (backendRegion !== undefined) throw usageError("--backend-region: only with an s3:// backend");
    return { local: backend.slice("local:".length) };
  }
  const s3 = S3_URL.exec(backend);
  if (s3) {
    return {
      s3: {
        bucket: s3[1]!,
        key: s3[2]!,
        useLockfile: true,
        ...(backendRegion ? { region: backendRegion } : {}),
      },
    };
  }
  throw usageError(`--backend: expected local:PATH or s3://BUCKET/PREFIX, got '${backend}'`);
}

export async function runSynth(flags: SynthFlags, command: Command): Promise<ExitCode> {
  const options = globalOptions(command);
  const backend = backendFromFlags(flags);
  if (flags.sandbox !== undefined && !/^https?:\/\/[^\s/]+/.test(flags.sandbox)) {
    throw usageError(
      `--sandbox: expected the sandbox's URL such as http://127.0.0.1:4566, got '${flags.sandbox}'`,
    );
  }
  const { defaultPlanFile } = await import("../../stacks/plan/load");
  const { findingLines, synthesize } = await import("../../stacks/synth");
  const planFile = flags.plan ?? defaultPlanFile();
  const result = synthesize({
    planFile,
    out: flags.out,
    ...(flags.sandbox ? { sandboxUrl: flags.sandbox } : {}),
    ...(backend ? { backend } : {}),
    ...(flags.adopt ? { adoptDir: flags.adopt } : {}),
  });
  for (const line of findingLines(result.findings)) say(`keyplane: ${line}`);
  if (result.errors.length > 0) {
    say(`keyplane: ${planFile}: ${result.errors.length} guardrail error(s); nothing written`);
    return EXIT.attention;
  }
  if (options.output === "json") {
    process.stdout.write(
      renderJson({ stacks: result.stackDirs, stateDir: result.stateDir ?? null, findings: result.findings }),
    );
  } else {
    for (const dir of result.stackDirs) process.stdout.write(`${dir}/cdk.tf.json\n`);
    if (result.stateDir) say(`state: ${result.stateDir} (local; keep it, it is not in the output folder)`);
  }
  return EXIT.ok;
}
