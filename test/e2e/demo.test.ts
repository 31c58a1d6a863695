import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EVALUATOR_INSTALL } from "../../byok/vocabulary/policy-evaluation";
import { CLI, runCli } from "../support/cli";

describe("npm start (keyplane demo)", () => {
  test("walks plan -> apply -> ceremony -> expiry -> renewal -> rotation on its own enforcing sandbox, as the roles, and stops cleanly", async () => {
    const result = await runCli(["demo"], { timeoutMs: 390_000 });
    expect(result.code).toBe(0);
    const said = result.stderr + result.stdout;
    for (const step of [
      "== 1. Sandbox",
      "enforcing key policies, grants and IAM policies as AWS does",
      "== 3. terraform apply",
      "its provider assumes the plan's deploy role (arn:aws:iam::111111111111:role/KeyplaneDeploy)",
      "Apply complete! Resources: 4 added, 0 changed, 0 destroyed.",
      "every keyplane command runs as the custodian (arn:aws:iam::111111111111:role/KeyCustodian)",
      "Ceremony for alias/demo/payments/restricted/s3",
      "Three weeks later",
      "Renewal of alias/demo/payments/restricted/s3",
      "Two months later",
      "alias/demo/payments/restricted/s3: import-and-rotate-on-demand done",
      "Script for alias/demo/payments/restricted/s3",
      "chain     intact",
      "the sandbox is stopped",
    ]) {
      expect(said).toContain(step);
    }
    // The separation-of-duties chapter, in AWS's words.
    const denied = (who: string) =>
      new RegExp(
        `^${who} directly decrypts it: denied \\(AccessDeniedException: User: arn:aws:sts::111111111111:assumed-role/${who}/keyplane-sandbox is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111111111111:key/\\S+ because no resource-based policy allows the kms:Decrypt action\\)$`,
        "m",
      );
    expect(said).toMatch(/== \d+\. Separation of duties\n/);
    expect(said).toContain(
      "payments-api through s3 encrypts a ledger object under alias/demo/payments/restricted/s3: allowed",
    );
    expect(said).toMatch(denied("KeyAdmin"));
    expect(said).toMatch(denied("KeyCustodian"));
    expect(said).toMatch(denied("payments-api"));
    expect(said).toContain("payments-api through s3 decrypts it: allowed");
    expect(said).not.toContain("the sandbox does not enforce key policies");
    // The custodian's own steps were never refused.
    expect(said.replace(/^\S+ directly decrypts it: denied .*$/gm, "")).not.toMatch(/AccessDenied/);
    expect(said).toMatch(/verified by\s+encrypt-decrypt/);
    expect(said).toMatch(/== \d+\. Report\n[^\n]*\n[\s\S]*?chain\s+intact/);
    expect(said).toContain("-> exit code 3: attention needed");
    // Rotation: overdue (exit 3) before apply, fine (exit 0) after (tables on stdout, the rest on stderr).
    expect(result.stdout).toMatch(/alias\/demo\/payments\/restricted\/s3 .* overdue\n/);
    expect(result.stderr).toMatch(/== \d+\. Two months later\n[^\n]*\n-> exit code 3: attention needed\n/);
    expect(result.stderr).toMatch(
      /== \d+\. Rotation\n[^\n]*\nalias\/demo\/payments\/restricted\/s3: import-and-rotate-on-demand done\n[\s\S]*?-> exit code 0: all good\n\n== \d+\. Journal/,
    );
    expect(said).toMatch(/renewed alias\/demo\/payments\/restricted\/s3: check value [0-9A-F]{6}/);
    expect(said).not.toContain("Warning:");
  }, 400_000);

  test("without the IAM policy evaluator (a default install) it says so in one line and runs without enforcement", async () => {
    // Only the opening is this test's concern: the rest of the walk is the test above. The demo is stopped
    // once its first chapters are out; TMPDIR keeps its working folder inside this test's own.
    const dir = mkdtempSync(join(tmpdir(), "keyplane-demo-test-"));
    const child = spawn(process.execPath, [CLI, "demo"], {
      env: {
        ...process.env,
        NO_COLOR: "1",
        TMPDIR: dir,
        NODE_OPTIONS: `--require ${join(__dirname, "..", "support", "without-evaluator.js")}`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let said = "";
    try {
      said = await new Promise<string>((resolve, reject) => {
        let text = "";
        child.stdout.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        child.stderr.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes("== 2. Key plan")) resolve(text);
        });
        child.on("close", (code) => reject(new Error(`demo exited (${code}) early: ${text}`)));
      });
    } finally {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
    const notices = said.split("\n").filter((line) => line.includes("IAM policy evaluator"));
    expect(notices).toEqual([
      `The IAM policy evaluator is not installed (AGPL-3.0-or-later, opt-in: ${EVALUATOR_INSTALL}), so the sandbox does not enforce key policies in this run.`,
    ]);
    expect(said).toMatch(
      /== 1\. Sandbox\nA local KMS listens at \S+ \(state in \S+\), not enforcing policies\./,
    );
  }, 60_000);
});
