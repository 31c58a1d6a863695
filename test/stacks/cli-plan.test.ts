import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../support/cli";
import { planYaml, variant } from "./plans";
import { ROOT } from "./synth";

const EXAMPLE = join(ROOT, "keyplan.example.yaml");
const files: string[] = [];
function planFile(plan: Record<string, unknown>): string {
  const file = join(ROOT, "node_modules", ".cache", `keyplane-cli-${process.pid}-${files.length}.yaml`);
  writeFileSync(file, planYaml(plan));
  files.push(file);
  return file;
}
afterAll(() => {
  for (const file of files) rmSync(file, { force: true });
});

describe("keyplane plan explain", () => {
  test("prints the derived key table, AWS managed keys included", async () => {
    const result = await runCli(["plan", "explain", "--plan", EXAMPLE]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^ALIAS\s+CLASSIFICATION\s+APPLICATION\s+SERVICES\s+ORIGIN\s+KEY SPEC\s+ROTATION\s+VALIDITY\s+AWS MANAGED KEY$/,
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^alias\/acme\/payments\/restricted\/s3\s+restricted\s+payments\s+s3\s+EXTERNAL\s+SYMMETRIC_DEFAULT\s+90d\s+180d\s+-$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^alias\/aws\/s3\s+public\s+payments\s+s3\s+AWS_MANAGED\s+SYMMETRIC_DEFAULT\s+-\s+-\s+aws\/s3$/,
      ),
    );
    // The stacks' monitoring key is listed: it is one of the keys the budget counts.
    expect(lines).toContainEqual(expect.stringMatching(/^alias\/acme\/keyplane\/monitoring\/shared\s/));
  });

  test("--output json: an object with the plan's name and its keys, each with stack, account and tags", async () => {
    const result = await runCli(["--output", "json", "plan", "explain", "--plan", EXAMPLE]);
    const shape = JSON.parse(result.stdout) as {
      plan: string;
      keys: { alias: string; services: string[]; stack: string | null }[];
    };
    expect(shape.plan).toBe("acme");
    expect(shape.keys.find((row) => row.alias === "alias/acme/payments/restricted/s3")).toEqual({
      alias: "alias/acme/payments/restricted/s3",
      classification: "restricted",
      application: "payments",
      services: ["s3"],
      origin: "EXTERNAL",
      keySpec: "SYMMETRIC_DEFAULT",
      rotationDays: 90,
      materialValidityDays: 180,
      awsManagedKey: null,
      stack: "acme-security-us-east-1",
      account: "111111111111",
      tags: {
        "keyplane:plan": "acme",
        "keyplane:classification": "restricted",
        "keyplane:application": "payments",
        "keyplane:service": "s3",
        "keyplane:rotation-days": "90",
        "keyplane:material-validity-days": "180",
      },
    });
  });

  test("a decentralized plan: an ACCOUNT column tells the per-account monitoring keys apart", async () => {
    const result = await runCli([
      "plan",
      "explain",
      "--plan",
      join(ROOT, "examples", "decentralized.keyplan.yaml"),
    ]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ACCOUNT\s+ALIAS\s+CLASSIFICATION\s/);
    expect(lines.filter((line) => line.includes("alias/globex/keyplane/monitoring/shared"))).toEqual([
      expect.stringMatching(/^666666666666\s+alias\/globex\/keyplane\/monitoring\/shared\s/),
      expect.stringMatching(/^777777777777\s+alias\/globex\/keyplane\/monitoring\/shared\s/),
    ]);
  });

  test("KEYPLANE_PLAN names the plan; a malformed plan is one line and exit 1", async () => {
    const bad = planFile(variant({ "classifications.internal.rotationDays": 10 }));
    const result = await runCli(["plan", "explain"], { env: { KEYPLANE_PLAN: bad } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `keyplane: ${bad}: classifications.internal.rotationDays: expected rotationDays between 90 and 2560 days, got 10\n`,
    );
  });

  test("a missing plan file", async () => {
    const result = await runCli(["plan", "explain", "--plan", "/nonexistent/keyplan.yaml"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "keyplane: /nonexistent/keyplan.yaml: no such file (write one (see keyplan.example.yaml) or set KEYPLANE_PLAN)\n",
    );
  });
});

describe("keyplane plan lint", () => {
  test("a suppression of an unknown rule is a plan error naming the file and the YAML path", async () => {
    const file = planFile(
      variant({ suppress: [{ rule: "KP-ROTATON", path: "*", reason: "typo in the rule id" }] }),
    );
    const result = await runCli(["plan", "lint", "--plan", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^keyplane: ${file.replace(/[.]/g, "\\.")}: suppress\\[0\\]\\.rule: unknown rule 'KP-ROTATON' \\(known: KP-CLASSIFICATION-TAG, .*KP-MONITORING-REQUIRED\\)\\n$`,
      ),
    );
  });

  test("a clean plan: no findings, exit 0", async () => {
    const result = await runCli(["plan", "lint", "--plan", EXAMPLE]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`${EXAMPLE}: no findings\n`);
  });

  test("errors, warnings and suppressed findings with their reason; exit 1", async () => {
    const file = planFile(
      variant({
        compliance: ["pci-dss"],
        "classifications.internal.rotationDays": 400,
        "applications.payments.users": [],
        suppress: [{ rule: "KP-UNUSED-KEY", path: "*/payments-*", reason: "payments go live in June" }],
      }),
    );
    const result = await runCli(["--output", "json", "plan", "lint", "--plan", file]);
    expect(result.code).toBe(1);
    const shape = JSON.parse(result.stdout) as {
      plan: string;
      file: string;
      errors: number;
      findings: { rule: string; suppressed: string | null }[];
    };
    expect([shape.plan, shape.file, shape.errors]).toEqual(["acme", file, 1]);
    const rows = shape.findings;
    expect(rows.filter((row) => row.rule === "KP-UNUSED-KEY").map((row) => row.suppressed)).toEqual([
      "payments go live in June",
      "payments go live in June",
      "payments go live in June",
    ]);
    expect(rows.filter((row) => row.rule !== "KP-UNUSED-KEY")).toEqual([
      {
        severity: "error",
        rule: "KP-ROTATION",
        path: "acme-security-us-east-1/payments-internal-sqs",
        yamlPath: "classifications.internal.rotationDays",
        message: "rotates every 400 days; the profile allows at most 365",
        fix: "set rotationDays to at most 365",
        suppressed: null,
      },
    ]);
    expect(result.stderr).toBe(
      `keyplane: ${file}: 1 guardrail error(s) (fix them, or add a suppress entry with a reason)\n`,
    );
    const table = await runCli(["plan", "lint", "--plan", file]);
    expect(table.stdout).toMatch(
      /warning \(suppressed\)\s+KP-UNUSED-KEY\s+applications\.payments\.users\s+acme-security-us-east-1\/payments-restricted-s3\s+.*payments go live in June/,
    );
  });

  test("an EXTERNAL key with no custodians fails, naming the YAML path to fix", async () => {
    const file = planFile(variant({ custodians: undefined }));
    const result = await runCli(["plan", "lint", "--plan", file]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SEVERITY\s+RULE\s+PLAN FIELD\s+PATH\s+MESSAGE\s+FIX \/ SUPPRESSION REASON$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        /^error\s+KP-IMPORTER\s+custodians\s+acme-security-us-east-1\/payments-restricted-s3\s+no principal may import material into this EXTERNAL key/,
      ),
      expect.stringMatching(
        /^error\s+KP-IMPORTER\s+custodians\s+acme-security-us-east-1\/payments-restricted-rds\s/,
      ),
    ]);
    expect(result.stderr).toBe(
      `keyplane: ${file}: 2 guardrail error(s) (fix them, or add a suppress entry with a reason)\n`,
    );
  });
});

/** The cdktf modules loaded after running `code` in a fresh node process. */
function cdktfModulesAfter(code: string): string[] {
  const probe = `Promise.resolve(${code}).then(() => process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((f) => /node_modules\\/(cdktf|@cdktf)\\//.test(f)))));`;
  return JSON.parse(execFileSync(process.execPath, ["-e", probe], { encoding: "utf8" })) as string[];
}

test("plan lint loads neither cdktf nor the provider bindings (the probe sees them when they are loaded)", () => {
  const cli = JSON.stringify(join(ROOT, "dist", "cli", "main.js"));
  expect(
    cdktfModulesAfter(
      `require(${cli}).main(["node", "keyplane", "plan", "lint", "--plan", ${JSON.stringify(EXAMPLE)}])`,
    ),
  ).toEqual([]);
  expect(
    cdktfModulesAfter(`require(${JSON.stringify(join(ROOT, "dist", "stacks", "app.js"))})`).length,
  ).toBeGreaterThan(0);
});
