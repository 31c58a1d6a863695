import { isKeyplaneError } from "../byok/errors";
import { EXIT, type ExitCode } from "./exit-codes";

/**
 * Turns any error into one line on stderr and an exit code. Stacks only with --debug: a custodian should
 * see what went wrong and what to do, not a trace.
 */
export function reportError(
  error: unknown,
  debug: boolean,
  stderr: NodeJS.WritableStream = process.stderr,
): ExitCode {
  if (isKeyplaneError(error)) {
    stderr.write(`keyplane: ${error.oneLine()}\n`);
    if (debug && error.stack) stderr.write(`${error.stack}\n`);
    if (error.code === "INTERRUPTED") return EXIT.interrupted;
    return error.code === "USAGE" ? EXIT.usage : EXIT.error;
  }
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n", 1)[0] ?? "";
  if (debug) {
    stderr.write(`keyplane: unexpected error: ${firstLine}\n`);
    if (error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  } else {
    stderr.write(`keyplane: unexpected error: ${firstLine} (run with --debug for details)\n`);
  }
  return EXIT.error;
}
