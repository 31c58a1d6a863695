import { Command, CommanderError, Option } from "commander";
import { registerAdopt } from "./commands/adopt";
import { registerAudit } from "./commands/audit";
import { registerByok } from "./commands/byok";
import { registerCompletion } from "./commands/completion";
import { registerDemo } from "./commands/demo";
import { registerExpiry } from "./commands/expiry";
import { registerPlan } from "./commands/plan";
import { registerRotation } from "./commands/rotation";
import { registerSandbox } from "./commands/sandbox";
import { registerSynth } from "./commands/synth";
import { showAwsExchanges } from "./debug-log";
import { EXIT } from "./exit-codes";
import { endpointUrlOption, journalOption, profileOption, regionOption } from "./flags";
import { createJournalAnchor, type JournalAnchor } from "./journal-anchor";
import { configureResults } from "./output";
import { reportError } from "./report-error";

/**
 * Builds the program. Command modules only declare flags here; the work (and heavy modules such as the
 * AWS SDK, Inquirer, cdktf or the sandbox) is loaded inside each action, so `--help` starts fast.
 */
export function buildProgram(anchor: JournalAnchor = createJournalAnchor()): Command {
  const program = new Command("keyplane")
    .description("AWS KMS key hierarchies as code, and BYOK ceremonies, rotations and expiry tracking")
    .version(readVersion(), "-V, --version")
    .addOption(regionOption("AWS region (default: the profile's or AWS_REGION)"))
    .addOption(profileOption())
    .addOption(endpointUrlOption("KMS endpoint, e.g. a keyplane sandbox (also AWS_ENDPOINT_URL_KMS)"))
    .addOption(
      new Option("--output <format>", "output format (text: tab-separated, as the AWS CLI prints)")
        .choices(["table", "json", "text"])
        .default("table"),
    )
    .option("--query <jmespath>", "JMESPath query on the JSON result, as the AWS CLI's --query")
    .option("--yes", "answer yes to confirmations", false)
    .option("--no-color", "plain output without colour")
    .addOption(journalOption("ceremony journal (JSON Lines, append-only)"))
    .option(
      "--debug",
      "print each AWS call (operation, status, request id, attempt) and error stack traces",
      false,
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`keyplane: ${commanderLine(text)}\n`),
      writeErr: (text) => process.stderr.write(helpAsError(text)),
    });
  // `--profile X` is AWS_PROFILE=X for everything the SDK reads (endpoint, region, credentials).
  program.hook("preAction", (_program, action) => {
    const { profile } = action.optsWithGlobals<{ profile?: string }>();
    if (profile) process.env.AWS_PROFILE = profile;
    anchor.before(action);
  });
  program.hook("postAction", (_program, action) => anchor.after(action));

  program.hook("preAction", (_program, action) => configureResults(action.optsWithGlobals()));
  registerPlan(program);
  registerSynth(program);
  registerByok(program);
  registerRotation(program);
  registerExpiry(program);
  registerAudit(program);
  registerAdopt(program);
  registerSandbox(program);
  registerDemo(program);
  registerCompletion(program);
  for (const command of allCommands(program)) command.exitOverride();
  return program;
}

/**
 * Commander's own refusals as one `keyplane:` line. A missing mandatory flag reads as the CLI's other
 * missing-flag errors: `missing --key-spec`.
 */
function commanderLine(text: string): string {
  const [first = "", second = ""] = text.split("\n");
  const line = first.replace(/^error: /, "");
  const mandatory = /^required option '(--[\w-]+)[^']*' not specified$/.exec(line);
  if (mandatory) return `missing ${mandatory[1]}`;
  // Commander's did-you-mean comes on a second line: it joins the one line, as the CLI's other hints do.
  const suggestion = /^\(Did you mean (.+)\?\)$/.exec(second);
  return suggestion ? `${line} (did you mean ${suggestion[1]}?)` : line;
}

/**
 * A group run without its subcommand makes commander print the whole help on stderr as an error; the
 * contract is one line, so the usage line stands in for it.
 */
function helpAsError(text: string): string {
  const usage = /^Usage: (.*)$/m.exec(text);
  if (!text.startsWith("Usage:") || !usage) return text;
  const command = usage[1]?.replace(/ \[options\].*$/, "") ?? "keyplane";
  return `keyplane: ${command}: missing a subcommand (see ${command} --help)\n`;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)]);
}

export function readVersion(): string {
  // package.json sits two folders up from dist/cli and one from cli/ under ts; try both.
  for (const path of ["../../package.json", "../package.json"]) {
    try {
      return (require(path) as { version: string }).version;
    } catch {
      // try the next location
    }
  }
  return "0.0.0";
}

/** Runs the command line and returns the exit code; never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const anchor = createJournalAnchor();
  const program = buildProgram(anchor);
  const debug = argv.includes("--debug");
  if (debug) showAwsExchanges();
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end through exitOverride with code 0; everything else commander refuses is usage.
      // A group run without a subcommand prints its help with exit code 1: that is a usage error too.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    anchor.after();
    return reportError(error, debug);
  }
}
