import { type Command, Option } from "commander";
import { usageError } from "../../byok/errors";

interface SandboxFlags {
  host: string;
  port: string;
  state?: string;
  latency: string;
  quotas: "aws" | "off";
  faults?: string;
  clockOffset?: string;
  accountId: string;
  wrappingKeyPool: string;
}

export function registerSandbox(program: Command): void {
  program
    .command("sandbox")
    .description("run a local AWS KMS endpoint (and STS GetCallerIdentity) for rehearsals and tests")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--port <port>", "port (0: any free port)", "4566")
    .option("--state <file>", "keep state in FILE, written atomically after every change")
    .option("--latency <ms>", "delay added to every KMS request", "0")
    .addOption(
      new Option("--quotas <mode>", "AWS's default request quotas").choices(["aws", "off"]).default("off"),
    )
    .option("--faults <spec>", "inject failures, e.g. throttle:0.1,5xx:0.02,reset:0.01")
    .option(
      "--clock-offset <duration>",
      "start the sandbox clock this far from now, e.g. 30d or -2h (default: as saved in --state, else 0)",
    )
    .option("--account-id <id>", "AWS account id the sandbox answers for", "111111111111")
    .option(
      "--wrapping-key-pool <n>",
      "reuse up to N wrapping key pairs per size in GetParametersForImport (0: a fresh pair per call, as AWS)",
      "0",
    )
    .addHelpText(
      "after",
      "\nAny region works: keys live in the region each request is signed for (SigV4 credential scope).",
    )
    .action(async (flags: SandboxFlags) => {
      const { parseClockOffset, parseFaults, startSandboxServer } = await import("../../sandbox/index");
      const port = wholeNumber(flags.port, "--port");
      if (port > 65535) throw usageError(`--port: expected 0..65535, got '${flags.port}'`);
      if (!/^\d{12}$/.test(flags.accountId)) {
        throw usageError(`--account-id: expected 12 digits, got '${flags.accountId}'`);
      }
      let clockOffsetMs: number | undefined;
      try {
        if (flags.clockOffset !== undefined) clockOffsetMs = parseClockOffset(flags.clockOffset);
      } catch (error) {
        throw usageError(error instanceof Error ? error.message : String(error));
      }
      const sandbox = await startSandboxServer({
        host: flags.host,
        port,
        ...(flags.state === undefined ? {} : { stateFile: flags.state }),
        latencyMs: wholeNumber(flags.latency, "--latency"),
        quotas: flags.quotas === "aws",
        faults: flags.faults === undefined ? {} : parseFaults(flags.faults),
        ...(clockOffsetMs === undefined ? {} : { clockOffsetMs }),
        accountId: flags.accountId,
        wrappingKeyPool: wholeNumber(flags.wrappingKeyPool, "--wrapping-key-pool"),
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

function wholeNumber(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw usageError(`${flag}: expected a whole number, got '${text}'`);
  return Number(text);
}
