import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { type SandboxHandle, startSandbox } from "../support/sandbox";

const SCRIPT = join(__dirname, "fixtures", "boto3_walk.py");

/** boto3 and cryptography must be importable; otherwise the test is reported as skipped, never as passed. */
function pythonWithBoto3(): boolean {
  const probe = spawnSync("python3", ["-c", "import boto3, cryptography"], { stdio: "ignore" });
  return probe.status === 0;
}

function describeWithBoto3(name: string, body: () => void): void {
  if (pythonWithBoto3()) describe(name, body);
  else describe.skip(`${name} [SKIPPED: python3 with boto3 and cryptography not found]`, body);
}

describeWithBoto3("boto3 against the sandbox", () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ accountId: "333333333333" });
  });
  afterAll(() => sandbox.stop());

  test("a boto3 script runs unchanged: STS, keys, aliases, encryption, import, MAC, errors", () => {
    const run = spawnSync("python3", [SCRIPT], {
      env: {
        ...process.env,
        ...sandbox.env(),
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      account: "333333333333",
      roundTrip: "from python",
      creationDateType: "datetime",
      macMatches: true,
      missing: "NotFoundException",
      aliases: ["alias/boto3"],
    });
  });
});
