import { type Command, Option } from "commander";
import { usageError } from "../../byok/errors";
import { DAY_MS } from "../../byok/vocabulary/durations";
import { countOption } from "../flags";

interface SandboxFlags {
  host: string;
  port: number;
  state?: string;
  latency: number;
  quotas: "aws" | "off";
  faults?: string;
  clockOffset?: string;
  accountId: string;
  wrappingKeyPool: number;
  principals?: string;
  enforcePolicies?: boolean;
}

/** A sandbox clock this far from now is a typo; rehearsals move it by days or years, not millennia. */
const MAX_CLOCK_OFFSET_MS = 3650 * DAY_MS;

export function registerSandbox(program: Command): void {
  program
    .command("sandbox")
    .description("run a local AWS KMS endpoint (and STS) for rehearsals and tests")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .addOption(countOption("--port <port>", "port (0: any free port)", { min: 0, max: 65535 }, 4566))
    .option("--state <file>", "keep state in FILE, written atomically after every change")
    .addOption(countOption("--latency <ms>", "delay added to every KMS request", { min: 0, max: 60_000 }, 0))
    .addOption(
      new Option("--quotas <mode>", "AWS's default request quotas").choices(["aws", "off"]).default("off"),
    )
    .addOption(
      new Option(
        "--faults <spec>",
        "inject failures, e.g. throttle:0.1,5xx:0.02,reset:0.01,lost:0.01",
      ).argParser(checkFaultSpec),
    )
    .option(
      "--clock-offset <duration>",
      "start the sandbox clock this far from now, e.g. 30d or -2h (default: as saved in --state, else 0)",
    )
    .option("--account-id <id>", "AWS account id the sandbox answers for", "111111111111")
    .addOption(
      countOption(
        "--wrapping-key-pool <n>",
        "reuse up to N wrapping key pairs per size in GetParametersForImport (0: a fresh pair per call, as AWS)",
        { min: 0, max: 1000 },
        0,
      ),
    )
    .option("--principals <file>", "principals file: access keys of IAM roles and users, per account (YAML)")
    .option(
      "--enforce-policies",
      "authorise every KMS request by key policy, grants and identity policies, as AWS does",
    )
    .addHelpText(
      "after",
      "\nAny region works: keys live in the region each request is signed for (SigV4 credential scope).",
    )
    .action(async (flags: SandboxFlags) => {
      const { parseClockOffset, parseFaults, Principals, startSandboxServer } = await import(
        "../../sandbox/index"
      );
      const port = flags.port;
      if (!/^\d{12}$/.test(flags.accountId)) {
        throw usageError(`--account-id: expected 12 digits, got '${flags.accountId}'`);
      }
      let clockOffsetMs: number | undefined;
      try {
        if (flags.clockOffset !== undefined) clockOffsetMs = parseClockOffset(flags.clockOffset);
      } catch (error) {
        throw usageError(error instanceof Error ? error.message : String(error));
      }
      if (clockOffsetMs !== undefined && Math.abs(clockOffsetMs) > MAX_CLOCK_OFFSET_MS) {
        throw usageError(`--clock-offset: expected at most 3650d either way, got '${flags.clockOffset}'`);
      }
      const sandbox = await startSandboxServer({
        host: flags.host,
        port,
        ...(flags.state === undefined ? {} : { stateFile: flags.state }),
        latencyMs: flags.latency,
        quotas: flags.quotas === "aws",
        faults: flags.faults === undefined ? {} : parseFaults(flags.faults),
        ...(clockOffsetMs === undefined ? {} : { clockOffsetMs }),
        accountId: flags.accountId,
        wrappingKeyPool: flags.wrappingKeyPool,
        ...(flags.principals === undefined
          ? {}
          : { principals: Principals.fromFile(flags.principals, flags.accountId) }),
        enforcePolicies: flags.enforcePolicies === true,
      });
      // Signal handlers go in before the ready line: whoever reads it may stop the sandbox at once.
      const stopped = new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          void sandbox.close().then(resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      process.stdout.write(`keyplane sandbox listening on ${sandbox.url}\n`);
      await stopped;
    });
}

/**
 * What the sandbox's own parser lets through but is surely a mistake: an empty spec (a variable that was
 * not set) and a fault named twice (the second silently replaced the first).
 */
function checkFaultSpec(spec: string): string {
  if (spec.trim() === "") {
    throw usageError("--faults: expected name:probability pairs such as throttle:0.1, got ''");
  }
  const names = spec.split(",").map((part) => part.split(":")[0]?.trim() ?? "");
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice !== undefined) throw usageError(`--faults: '${twice}' is given twice in '${spec}'`);
  return spec;
}
