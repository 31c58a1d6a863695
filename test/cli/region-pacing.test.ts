import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/cli";
import { type SandboxHandle, startSandbox } from "../support/sandbox";

let sandbox: SandboxHandle;
const dir = mkdtempSync(join(tmpdir(), "keyplane-region-"));
const configFile = join(dir, "config");

beforeAll(async () => {
  sandbox = await startSandbox();
  // A profile with its own region and keys, as `aws configure --profile audit` writes it.
  writeFileSync(
    configFile,
    "[profile audit]\nregion = eu-west-1\naws_access_key_id = AKIAKEYPLANETEST0000\naws_secret_access_key = x\n",
    { mode: 0o600 },
  );
});
afterAll(async () => {
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Only what a user's shell would hold: the sandbox endpoints and the shared config file, no AWS_REGION. */
const env = () => ({
  AWS_ENDPOINT_URL_KMS: sandbox.url,
  AWS_ENDPOINT_URL_STS: sandbox.url,
  AWS_CONFIG_FILE: configFile,
  AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
});

describe("the region of a command", () => {
  test("without --region or AWS_REGION, the profile's region is used", async () => {
    const result = await runCli(["--profile", "audit", "--output", "json", "expiry"], {
      env: env(),
      cleanEnv: true,
    });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout).regions).toEqual(["eu-west-1"]);
  });

  test("--region wins over the profile's", async () => {
    const result = await runCli(
      ["--profile", "audit", "--region", "ap-south-1", "--output", "json", "expiry"],
      { env: env(), cleanEnv: true },
    );
    expect(JSON.parse(result.stdout).regions).toEqual(["ap-south-1"]);
  });

  test("AWS_REGION wins over the profile's", async () => {
    const result = await runCli(["--profile", "audit", "--output", "json", "expiry"], {
      env: { ...env(), AWS_REGION: "sa-east-1" },
      cleanEnv: true,
    });
    expect(JSON.parse(result.stdout).regions).toEqual(["sa-east-1"]);
  });
});

describe("KEYPLANE_KMS_QUOTA_SCALE", () => {
  test.each([["fast"], ["-1"]])("'%s' is refused in one line naming the variable (exit 2)", async (value) => {
    const result = await runCli(["expiry"], { env: { ...sandbox.env(), KEYPLANE_KMS_QUOTA_SCALE: value } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(`KEYPLANE_KMS_QUOTA_SCALE: expected a number >= 0`);
    expect(result.stderr).toContain(`got '${value}'`);
  });

  test("0 turns pacing off and the command still works", async () => {
    const result = await runCli(["--output", "json", "expiry"], {
      env: { ...sandbox.env(), KEYPLANE_KMS_QUOTA_SCALE: "0" },
    });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout).materials).toEqual([]);
  });
});
