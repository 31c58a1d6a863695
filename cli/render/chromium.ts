/**
 * Headless Chromium, the only run-time dependency of a PDF (an HTML document needs nothing). Started with
 * the flags that keep it off the network (a closed machine refuses its background connections, many at a
 * time) and a fresh profile that is removed afterwards.
 */

import { spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { KeyplaneError } from "../../byok/errors";

const NAMES = ["chromium", "chromium-browser", "google-chrome"];

/** KEYPLANE_CHROMIUM, else the first Chromium on PATH; undefined when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.KEYPLANE_CHROMIUM) return env.KEYPLANE_CHROMIUM;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    for (const name of NAMES) {
      const path = join(dir, name);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {}
    }
  }
  return undefined;
}

const QUIET_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Runs Chromium on a local page with extra flags (`--print-to-pdf=…`, `--screenshot=…`, `--dump-dom`). */
export function runChromium(
  pageUrl: string,
  flags: readonly string[],
  timeoutMs = 120_000,
): Promise<{ stdout: string }> {
  const chromium = findChromium();
  if (!chromium) {
    throw new KeyplaneError("FILE", "a PDF needs Chromium, and none was found", {
      hint: "install it (Debian: apt-get install chromium), set KEYPLANE_CHROMIUM=PATH, or write .html",
    });
  }
  const profile = mkdtempSync(join(tmpdir(), "keyplane-chromium-"));
  return new Promise<{ stdout: string }>((resolve, reject) => {
    const child = spawn(chromium, [...QUIET_FLAGS, `--user-data-dir=${profile}`, ...flags, pageUrl], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) =>
      reject(
        new KeyplaneError("FILE", `${chromium}: cannot start Chromium (${error.message})`, { cause: error }),
      ),
    );
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout });
      else {
        const last = stderr.trim().split("\n").at(-1) ?? "";
        reject(
          new KeyplaneError("FILE", `${chromium}: exited with ${signal ?? code} while rendering (${last})`),
        );
      }
    });
  }).finally(() => rmSync(profile, { recursive: true, force: true }));
}
