import { spawn } from "node:child_process";
import { join } from "node:path";

export const CLI = join(__dirname, "..", "..", "dist", "cli", "bin.js");

export interface CliResult {
  code: number;
  /** The signal that ended the process (a crash test's SIGKILL), or null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the compiled CLI as a user would (a child process, no TTY). `npm ci` builds dist/ through `prepare`;
 * tests that change CLI code need `npm run build` first (jest's globalSetup does it).
 */
export function runCli(
  args: string[],
  options: {
    env?: Record<string, string>;
    /** Start from an empty environment (PATH and HOME only) instead of this process's. */
    cleanEnv?: boolean;
    input?: string;
    cwd?: string;
    timeoutMs?: number;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: {
        ...(options.cleanEnv ? { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" } : process.env),
        NO_COLOR: "1",
        ...options.env,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // A guard against a hung child, not a speed check: on a loaded machine a ceremony alone took over 60 s
    // and was killed mid-run (exit 1). The test's own timeout is the budget.
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 170_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** stderr without the journal anchor line every journaled run ends with (cli/journal-anchor.ts). */
export function withoutJournalAnchor(stderr: string): string {
  return stderr.replace(
    /^journal \S+: \d+ entries, last hash [0-9a-f]{64} \(keep it for verify --last-hash\)\n/m,
    "",
  );
}
