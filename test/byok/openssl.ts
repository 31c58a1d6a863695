import { execFileSync, spawnSync } from "node:child_process";

/** The OpenSSL command line, an implementation independent of keyplane's, or undefined when missing. */
export function opensslBinary(): string | undefined {
  const probe = spawnSync("openssl", ["version"], { encoding: "utf8" });
  return probe.status === 0 ? "openssl" : undefined;
}

/**
 * `describe` when the openssl CLI is installed; otherwise a skipped block that says why, so a missing binary
 * is reported as skipped, never as passed.
 */
export function describeWithOpenssl(name: string, body: () => void): void {
  if (opensslBinary()) {
    describe(name, body);
  } else {
    describe.skip(`${name} [SKIPPED: openssl binary not found on PATH]`, body);
    console.warn(`skipping "${name}": the openssl command line is not installed`);
  }
}

/** Runs openssl with `args`, feeding `input`, returning stdout bytes; throws with stderr on failure. */
export function openssl(args: readonly string[], input?: Buffer): Buffer {
  return execFileSync("openssl", args, { input: input ?? Buffer.alloc(0), stdio: ["pipe", "pipe", "pipe"] });
}
