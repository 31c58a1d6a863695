import { runCli } from "../support/cli";

describe("keyplane command line", () => {
  test("--help lists the five command groups", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    for (const group of ["plan", "byok", "rotation", "expiry", "sandbox"]) {
      expect(result.stdout).toMatch(new RegExp(`^\\s+${group}\\b`, "m"));
    }
  });

  test("an unknown command is a usage error: one line, exit 2", async () => {
    const result = await runCli(["nope"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("unknown command 'nope'");
  });

  test("an unknown flag is a usage error: exit 2", async () => {
    const result = await runCli(["--frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--frobnicate'");
  });

  test("a group without a subcommand is a usage error: exit 2", async () => {
    const result = await runCli(["rotation"]);
    expect(result.code).toBe(2);
  });

  test("--output accepts only table or json", async () => {
    const result = await runCli(["--output", "yaml", "expiry"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--output");
  });
});
