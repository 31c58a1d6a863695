import { runCli } from "../support/cli";

describe("npm start (keyplane demo)", () => {
  test("walks plan -> apply -> ceremony -> expiry -> renewal on its own sandbox and stops cleanly", async () => {
    const result = await runCli(["demo"], { timeoutMs: 390_000 });
    expect(result.code).toBe(0);
    const said = result.stderr + result.stdout;
    for (const step of [
      "== 1. Sandbox",
      "== 3. terraform apply",
      "Ceremony for alias/demo/payments/restricted/s3",
      "Three weeks later",
      "Renewal of alias/demo/payments/restricted/s3",
      "Script for alias/demo/payments/restricted/s3",
      "chain     intact",
      "the sandbox is stopped",
    ]) {
      expect(said).toContain(step);
    }
    expect(said).toMatch(/verified by\s+encrypt-decrypt/);
    expect(said).toMatch(/== \d+\. Report\n[^\n]*\n[\s\S]*?chain\s+intact/);
    expect(said).toContain("-> exit code 3: attention needed");
    expect(said).toMatch(/renewed alias\/demo\/payments\/restricted\/s3: check value [0-9A-F]{6}/);
    expect(said).not.toContain("Warning:");
  }, 400_000);
});
