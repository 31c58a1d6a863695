import { runCli } from "../support/cli";
import { startSandbox } from "../support/sandbox";

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

  test("commander's refusals carry the keyplane: prefix and its did-you-mean, on one line, exit 2", async () => {
    const command = await runCli(["rotaton", "status"]);
    expect([command.code, command.stderr]).toEqual([
      2,
      "keyplane: unknown command 'rotaton' (did you mean rotation?)\n",
    ]);
    const option = await runCli(["expiry", "--withn", "30d"]);
    expect([option.code, option.stderr]).toEqual([
      2,
      "keyplane: unknown option '--withn' (did you mean --within?)\n",
    ]);
  });

  test("--debug shows each AWS HTTP attempt: operation, status, error code, request id, retries; no bodies", async () => {
    // Every first try of a request is throttled: the SDK retries, and --debug shows both attempts.
    const sandbox = await startSandbox({ faults: "throttle:1" });
    try {
      const result = await runCli(
        [
          "--debug",
          "byok",
          "params",
          "--key",
          "alias/nope",
          "--wrapping-algorithm",
          "RSAES_OAEP_SHA_256",
        ].concat(["--wrapping-key-spec", "RSA_4096", "--out-dir", "unused"]),
        { env: sandbox.env() },
      );
      expect(result.code).toBe(1);
      const debug = result.stderr.split("\n").filter((line) => line.startsWith("debug: "));
      expect(debug.length).toBeGreaterThanOrEqual(2);
      for (const line of debug) {
        expect(line).toMatch(
          new RegExp(
            `^debug: kms DescribeKey attempt \\d+ -> 400 ThrottlingException request [0-9a-f-]{36} \\d+ ms ${sandbox.url}/$`,
          ),
        );
      }
      expect(debug.map((line) => /attempt (\d+)/.exec(line)![1])).toEqual(
        debug.map((_line, i) => String(i + 1)),
      );
      expect(result.stderr).toMatch(/^keyplane: DescribeKey alias\/nope: ThrottlingException/m);
    } finally {
      await sandbox.stop();
    }
  }, 60_000);

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
