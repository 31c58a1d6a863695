/**
 * Status that never misleads (issue 10, finding 9) and `--profile` that is exactly AWS_PROFILE (finding 10),
 * against a sandbox over HTTP.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { basePlan, planYaml } from "../stacks/plans";
import { runCli } from "../support/cli";
import { DUMMY_CREDENTIALS, type SandboxHandle, startSandbox } from "../support/sandbox";
import { taggedKey } from "./fleet-support";

const DAY_MS = 86_400_000;
let dir: string;
let sandbox: SandboxHandle;
let env: Record<string, string>;
let profileEnv: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keyplane-status-"));
  sandbox = await startSandbox();
  env = sandbox.env();
  // A profile that holds everything: endpoint, region, credentials. Nothing in the environment says them.
  writeFileSync(
    join(dir, "config"),
    [
      "[profile sandbox]",
      "region = us-east-1",
      `endpoint_url = ${sandbox.url}`,
      `aws_access_key_id = ${DUMMY_CREDENTIALS.accessKeyId}`,
      `aws_secret_access_key = ${DUMMY_CREDENTIALS.secretAccessKey}`,
      "",
    ].join("\n"),
  );
  profileEnv = {
    AWS_CONFIG_FILE: join(dir, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
  };
}, 120_000);

afterAll(async () => {
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ceremony = (key: string, expiresIn: string) => [
  "--journal",
  join(dir, "ceremony.jsonl"),
  "--yes",
  "byok",
  "ceremony",
  "--key",
  key,
  "--material",
  "generate",
  "--expires-in",
  expiresIn,
  "--escrow-dir",
  join(dir, "escrow"),
  "--escrow-shares",
  "2",
  "--escrow-threshold",
  "2",
];

test("rotation status: an imported key without material, or whose material expired, is attention (exit 3), as expiry says", async () => {
  const arn = await taggedKey(sandbox.kms(), "alias/status/imported", { plan: "status", validityDays: "30" });
  const pending = await runCli(["--output", "json", "rotation", "status", "--plan", "status"], { env });
  expect(pending.code).toBe(3);
  expect(JSON.parse(pending.stdout).keys).toEqual([
    expect.objectContaining({
      keyArn: arn,
      status: "attention",
      reason: expect.stringMatching(/no key material/),
    }),
  ]);

  const imported = await runCli(ceremony(arn, "1d"), { env });
  expect(imported.code).toBe(0);
  const fresh = await runCli(["--output", "json", "rotation", "status", "--plan", "status"], { env });
  expect(JSON.parse(fresh.stdout).keys[0]).toMatchObject({ keyArn: arn, status: "ok" });

  await sandbox.advanceClock("2d");
  const expired = await runCli(["--output", "json", "rotation", "status", "--plan", "status"], { env });
  expect(expired.code).toBe(3);
  expect(JSON.parse(expired.stdout).keys[0]).toMatchObject({
    keyArn: arn,
    status: "attention",
    // KMS deletes expired material; whether DescribeKey still says when is not promised.
    reason: expect.stringMatching(/material expired|expired and was deleted/),
  });
  const expiry = await runCli(["--output", "json", "expiry", "--plan", "status"], { env });
  expect(expiry.code).toBe(3);
}, 240_000);

test("--plan that matches no key is an error naming the plan, in rotation and expiry; a plan file names its plan", async () => {
  // A value that cannot be a plan name is a key plan file, as `plan lint --plan` takes it: its name counts.
  const file = join(dir, "typo.keyplan.yaml");
  writeFileSync(file, planYaml({ ...basePlan(), name: "typo" }));
  for (const args of [
    ["rotation", "status", "--plan", "typo"],
    ["expiry", "--plan", "typo"],
    ["rotation", "status", "--plan", file],
    ["expiry", "--plan", file],
  ]) {
    const result = await runCli(args, { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "keyplane: --plan typo: no key is tagged keyplane:plan=typo in us-east-1 (check the plan name, --regions and the account)\n",
    );
  }
  const missing = await runCli(["expiry", "--plan", join(dir, "absent.yaml")], { env });
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/^keyplane: .*absent\.yaml: no such file .*\n$/);
}, 120_000);

test("--profile reads endpoint_url, region, credentials and the sandbox clock from the profile, as AWS_PROFILE does", async () => {
  await taggedKey(sandbox.kms(), "alias/status/profile", { plan: "profiled" });
  await sandbox.advanceClock("2d");
  const clean = { cleanEnv: true, env: profileEnv };
  const byFlag = await runCli(
    ["--profile", "sandbox", "--output", "json", "expiry", "--plan", "profiled"],
    clean,
  );
  const byEnv = await runCli(["--output", "json", "expiry", "--plan", "profiled"], {
    cleanEnv: true,
    env: { ...profileEnv, AWS_PROFILE: "sandbox" },
  });
  for (const result of [byFlag, byEnv]) {
    expect(result.stderr).toBe("");
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report.materials).toEqual([expect.objectContaining({ alias: "alias/status/profile" })]);
    // The sandbox's clock runs days ahead; the profile's endpoint is where keyplane reads it.
    expect(Date.parse(report.observedAt) - Date.now()).toBeGreaterThan(DAY_MS);
  }
  expect(JSON.parse(byFlag.stdout).materials).toEqual(JSON.parse(byEnv.stdout).materials);
}, 120_000);

test("a profile beside AWS_ACCESS_KEY_ID: the profile wins, said in one line instead of the SDK's notice", async () => {
  const result = await runCli(["--profile", "sandbox", "expiry", "--plan", "profiled"], {
    cleanEnv: true,
    env: { ...profileEnv, AWS_ACCESS_KEY_ID: "AKIAOTHER", AWS_SECRET_ACCESS_KEY: "other" },
  });
  expect(result.code).toBe(3);
  expect(result.stderr).toBe(
    "note: the profile's credentials are used; AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are ignored\n",
  );
}, 120_000);

test("a profile no shared file declares: one line naming it, exit 2", async () => {
  for (const [args, extra, source] of [
    [["--profile", "nope", "expiry"], {}, "--profile"],
    [["expiry"], { AWS_PROFILE: "nope" }, "AWS_PROFILE"],
  ] as const) {
    const result = await runCli([...args], { cleanEnv: true, env: { ...profileEnv, ...extra } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `keyplane: ${source}: no profile 'nope' in ${profileEnv.AWS_CONFIG_FILE} or ${profileEnv.AWS_SHARED_CREDENTIALS_FILE} (check the name, or set AWS_CONFIG_FILE)\n`,
    );
  }
}, 120_000);
