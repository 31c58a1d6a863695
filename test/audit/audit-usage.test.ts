import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/cli";

/** Every refusal before any request: no sandbox needed (the endpoint is never called). */
const env = { AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:9", AWS_REGION: "us-east-1" };
const dir = mkdtempSync(join(tmpdir(), "keyplane-audit-usage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("keyplane audit refuses bad input in one line", () => {
  test.each([
    [["--role-name", "Audit"], 2, "--role-name needs --accounts FILE or --organization"],
    [["--organization"], 2, "--organization needs --role-name"],
    [["--organization", "--role-name", "A", "--accounts", "a.yaml"], 2, "--organization and --accounts"],
    [["--workers", "0"], 2, "--workers: expected a whole number >= 1, got '0'"],
    [["--budget", "many"], 2, "--budget: expected a whole number >= 0, got 'many'"],
    [["--unused-days", "0"], 2, "--unused-days: expected a whole number >= 1, got '0'"],
    [["--fail-on", "severe"], 2, "severe"],
    [["--shard", "3/2"], 2, "--shard: expected I/N with 1 <= I <= N, such as 1/4, got '3/2'"],
    [["merge", "/nonexistent/shard.json"], 1, "/nonexistent/shard.json: cannot read (ENOENT)"],
    [
      ["--accounts", "/nonexistent/accounts.yaml"],
      1,
      "--accounts /nonexistent/accounts.yaml: cannot read (ENOENT)",
    ],
  ])("audit %j", async (args, code, message) => {
    const result = await runCli(["audit", ...args], { env });
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stdout).toBe("");
  });

  test("an accounts file with an entry that is neither an account id nor a role ARN", async () => {
    const file = join(dir, "accounts.yaml");
    writeFileSync(file, "- 1234\n");
    const result = await runCli(["audit", "--accounts", file], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${file}: accounts[0]: expected a 12-digit account id or a role ARN, got 1234`,
    );
  });

  test("audit merge refuses a file that is not an audit result, naming the field", async () => {
    const file = join(dir, "shard.json");
    writeFileSync(file, JSON.stringify({ findings: [{ rule: "unused", severity: "fatal" }], errors: [] }));
    const result = await runCli(["audit", "merge", file], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}: findings[0].keyArn: expected a string`);
  });

  test("an account id without --role-name", async () => {
    const file = join(dir, "ids.json");
    writeFileSync(file, '["222222222222"]');
    const result = await runCli(["audit", "--accounts", file], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("account 222222222222 needs --role-name");
  });
});
