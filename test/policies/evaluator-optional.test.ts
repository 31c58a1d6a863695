/**
 * The IAM policy evaluator is AGPL-3.0-or-later, so it is an optional peer dependency: the built CLI runs as
 * in a default install (the preload hides the evaluator's packages as Node does for missing ones) and each
 * command that needs it says so in one line, with the exact install command.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EVALUATOR_INSTALL, EVALUATOR_PACKAGES } from "../../byok/vocabulary/policy-evaluation";
import { runCli } from "../support/cli";

const ROOT = join(__dirname, "..", "..");
const WITHOUT_EVALUATOR = {
  NODE_OPTIONS: `--require ${join(__dirname, "..", "support", "without-evaluator.js")}`,
};
const MISSING = `keyplane: the IAM policy evaluator is not installed: @cloud-copilot/iam-simulate is AGPL-3.0-or-later, so keyplane (Apache-2.0) leaves it out by default and you opt in (install it with: ${EVALUATOR_INSTALL})\n`;

test("package.json: the evaluator is an optional peer at the exact versions the code names, and a dev dependency", () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<
    string,
    Record<string, unknown>
  >;
  expect(EVALUATOR_INSTALL).toBe(
    "npm install @cloud-copilot/iam-simulate@0.1.173 @cloud-copilot/iam-policy@0.1.109",
  );
  for (const [name, version] of Object.entries(EVALUATOR_PACKAGES)) {
    expect(manifest.dependencies?.[name]).toBeUndefined();
    expect(manifest.devDependencies?.[name]).toBe(version);
    expect(manifest.peerDependencies?.[name]).toBe(version);
    expect(manifest.peerDependenciesMeta?.[name]).toEqual({ optional: true });
  }
});

describe("without the evaluator", () => {
  test("keyplane plan access: one line naming the licence and the install command, exit 1", async () => {
    const result = await runCli(["plan", "access", "--plan", join(ROOT, "keyplan.example.yaml")], {
      env: WITHOUT_EVALUATOR,
    });
    expect(result.stderr).toBe(MISSING);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(1);
  });

  test("keyplane sandbox --enforce-policies refuses to start, exit 1", async () => {
    const result = await runCli(["sandbox", "--port", "0", "--enforce-policies"], { env: WITHOUT_EVALUATOR });
    expect(result.stderr).toBe(MISSING);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(1);
  });

  test("keyplane synth: the access-matrix guardrail is a warning 'not evaluated', the stacks are written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keyplane-no-evaluator-"));
    try {
      const result = await runCli(
        ["synth", "--plan", join(ROOT, "keyplan.example.yaml"), "--out", join(dir, "out")],
        { env: WITHOUT_EVALUATOR, cwd: dir },
      );
      expect(result.stderr).toContain(
        `keyplane: warning KP-ACCESS-MATRIX acme-security-us-east-1: access matrix not evaluated: the IAM policy evaluator is not installed (AGPL-3.0-or-later, so opt-in: ${EVALUATOR_INSTALL})`,
      );
      expect(result.code).toBe(0);
      expect(existsSync(join(dir, "out", "stacks", "acme-security-us-east-1", "cdk.tf.json"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
