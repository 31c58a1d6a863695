import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { type SandboxHandle, startSandbox } from "../support/sandbox";
import { describeWithTool, PYTHON_BOTO3 } from "../support/tools";

const SCRIPT = join(__dirname, "fixtures", "boto3_walk.py");

describeWithTool(PYTHON_BOTO3, "boto3 against the sandbox", () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ accountId: "333333333333" });
  });
  afterAll(() => sandbox.stop());

  test("a boto3 script runs unchanged: STS, keys, aliases, encryption, import, MAC, errors", () => {
    const run = spawnSync(PYTHON_BOTO3.find(), [SCRIPT], {
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
