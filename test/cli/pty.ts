import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { CLI } from "../support/cli";

/** The keys a person presses, as a terminal sends them. */
export const KEYS = { enter: "\r", down: "\u001b[B", up: "\u001b[A", backspace: "\u007f" } as const;

const ESCAPE_SEQUENCE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g");

export interface Terminal {
  /** Resolves once `pattern` appears in the output after the last match; rejects if the program ends first. */
  waitFor(pattern: RegExp | string): Promise<string>;
  type(text: string): void;
  /** Everything the terminal showed so far. */
  readonly screen: string;
  exit: Promise<number>;
  kill(): void;
}

/**
 * Runs the real CLI under a pseudo-terminal (util-linux `script`), so stdin and stderr are TTYs exactly as
 * for a custodian at a keyboard. `script -e` returns the program's exit code.
 */
export function runInTerminal(args: string[], env: Record<string, string> = {}): Terminal {
  const command = [process.execPath, CLI, ...args]
    .map((part) => `'${part.replace(/'/g, "'\\''")}'`)
    .join(" ");
  const child: ChildProcessWithoutNullStreams = spawn("script", ["-qfec", command, "/dev/null"], {
    env: { ...process.env, NO_COLOR: "1", TERM: "xterm", COLUMNS: "160", LINES: "50", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let screen = "";
  let consumed = 0;
  let ended = false;
  const waiters: (() => void)[] = [];
  const notify = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  child.stdout.on("data", (chunk: Buffer) => {
    screen += chunk.toString();
    notify();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    screen += chunk.toString();
    notify();
  });
  const exit = new Promise<number>((resolve) => {
    child.on("close", (code) => {
      ended = true;
      notify();
      resolve(code ?? 1);
    });
  });
  // Strip escape sequences so patterns match what a person reads.
  const plain = (text: string) => text.replace(ESCAPE_SEQUENCE, "");
  return {
    get screen() {
      return plain(screen);
    },
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        // A prompt that never comes fails the test with the screen, rather than at jest's timeout.
        const timer = setTimeout(
          () => reject(new Error(`no ${pattern} within 20 s; screen:\n${plain(screen)}`)),
          20_000,
        );
        const check = () => {
          const rest = plain(screen.slice(consumed));
          const match = typeof pattern === "string" ? rest.indexOf(pattern) : rest.search(pattern);
          if (match >= 0) {
            consumed = screen.length;
            clearTimeout(timer);
            // Let the prompt finish setting up the terminal (raw mode, key listener) before keys arrive.
            setTimeout(() => resolve(rest), 200);
          } else if (ended) {
            clearTimeout(timer);
            reject(new Error(`program ended before ${pattern}; screen:\n${plain(screen)}`));
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    },
    type(text) {
      child.stdin.write(text);
    },
    exit,
    kill() {
      if (ended) return;
      // Ctrl-C ends the program under the terminal as a person would; killing `script` alone would orphan it.
      child.stdin.write("\u0003");
      setTimeout(() => {
        if (!ended) child.kill("SIGKILL");
      }, 2000).unref();
    },
  };
}
