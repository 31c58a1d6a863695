/**
 * Replays the kept corpus of malformed inputs (malformed-cases.ts) through the built CLI, all in one node
 * process (test/support/replay-runner.js), and holds every case to the command contract: the exit code
 * DESIGN.md gives (1 error, 2 usage), exactly one `keyplane:` line on stderr, no stack trace, no
 * "unexpected error", nothing written.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { type SandboxHandle, startSandbox } from "../support/sandbox";
import { type MalformedCase, offlineCases, onlineCases, writeFixtures } from "./malformed-cases";

interface Replayed {
  name: string;
  ms: number;
  code: number | "timeout";
  stdout: string;
  stderr: string;
  written: string[];
}

let dir: string;
let work: string;
let sandbox: SandboxHandle;
let keyArn: string;
let rsaKeyArn: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keyplane-malformed-"));
  work = join(dir, "work");
  mkdirSync(work);
  await writeFixtures(work);
  sandbox = await startSandbox();
  const created = await sandbox
    .kms()
    .send(new CreateKeyCommand({ Origin: "EXTERNAL", Description: "malformed replay" }));
  keyArn = created.KeyMetadata?.Arn ?? "";
  const rsa = await sandbox
    .kms()
    .send(new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" }));
  rsaKeyArn = rsa.KeyMetadata?.Arn ?? "";
}, 120_000);

afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the cases in one child process; a case that blocks it is reported as hung, with what came before. */
function replay(cases: MalformedCase[], timeoutMs: number): Promise<{ results: Replayed[]; hung?: string }> {
  const file = join(dir, `cases-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(cases));
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      [join(__dirname, "..", "support", "replay-runner.js"), file, work],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
    );
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const results = out
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Replayed);
      if (results.length === cases.length) resolve({ results });
      else if (code !== 0 && results.length === 0 && err) reject(new Error(`replay runner failed: ${err}`));
      else resolve({ results, hung: cases[results.length]?.name ?? "?" });
    });
  });
}

/** What is wrong with one replayed case, or nothing. */
function problems(testCase: MalformedCase, result: Replayed): string[] {
  const found: string[] = [];
  const lines = result.stderr.split("\n").filter((line) => line.trim() !== "");
  const keyplaneLines = lines.filter((line) => line.startsWith("keyplane:"));
  if (result.code !== testCase.exit) found.push(`exit ${result.code}, expected ${testCase.exit}`);
  if (keyplaneLines.length !== 1 || lines.length !== 1) found.push(`${lines.length} stderr line(s)`);
  if (/^\s+at .+:\d+:\d+\)?$/m.test(result.stderr)) found.push("stack trace");
  if (result.stderr.includes("unexpected error")) found.push("unexpected error");
  if (result.written.length > 0) found.push(`wrote ${result.written.join(", ")}`);
  if (testCase.stderr && !testCase.stderr.test(result.stderr))
    found.push(`stderr does not match ${testCase.stderr}`);
  return found;
}

test("every malformed input ends as the contract says: exit code, one line, no trace, nothing written", async () => {
  const anchor = readFileSync(join(work, "journal-anchor.txt"), "utf8");
  // No shared AWS config: the profile cases must not find one by accident.
  const isolated = {
    AWS_CONFIG_FILE: join(dir, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-aws-credentials"),
  };
  const offline = offlineCases().map((testCase) => ({
    ...testCase,
    args: testCase.args.map((arg) => (arg === "ANCHOR" ? anchor : arg)),
    env: { ...isolated, ...testCase.env },
  }));
  const online = onlineCases(keyArn, rsaKeyArn).map((testCase) => ({
    ...testCase,
    env: { ...isolated, ...sandbox.env(), ...testCase.env },
  }));
  const cases = [...offline, ...online];
  expect(new Set(cases.map((testCase) => testCase.name)).size).toBe(cases.length);
  expect(cases.length).toBeGreaterThanOrEqual(300);

  const { results, hung } = await replay(cases, 150_000);
  const failures = results.flatMap((result, i) => {
    const testCase = cases[i]!;
    const found = problems(testCase, result);
    return found.length === 0
      ? []
      : [`${testCase.name}: ${found.join("; ")} | ${result.stderr.trim().slice(0, 300)}`];
  });
  const count = (what: string) => failures.filter((failure) => failure.includes(what)).length;
  process.stdout.write(
    [
      "malformed-input replay",
      `  cases            ${cases.length} (${offline.length} offline, ${online.length} against the sandbox)`,
      `  replayed         ${results.length}${hung ? ` (hung at: ${hung})` : ""}`,
      `  clean            ${results.length - failures.length}`,
      `  wrong exit codes ${count("expected")}`,
      `  stack traces     ${count("stack trace")}`,
      `  unexpected error ${count("unexpected error")}`,
      `  wrote files      ${count("wrote ")}`,
      `  slowest          ${[...results]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 3)
        .map((result) => `${result.name} ${result.ms} ms`)
        .join(", ")}`,
      "",
    ].join("\n"),
  );
  expect(failures).toEqual([]);
  expect(hung).toBeUndefined();
}, 240_000);
