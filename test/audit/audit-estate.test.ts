import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CliResult, runCli } from "../support/cli";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  ACCOUNT_DENIED,
  AUDIT_ROLE,
  type Brownfield,
  BUDGET,
  CALLER_KEY,
  seedBrownfield,
} from "./brownfield";

interface AuditJson {
  findings: {
    rule: string;
    severity: string;
    keyArn: string;
    account: string;
    region: string;
    evidence: string;
    fix: string;
    controls: string[];
  }[];
  errors: { account: string; region?: string; roleArn?: string; error: string; message: string }[];
}

let estate: Brownfield;

beforeAll(async () => {
  estate = await seedBrownfield();
}, 180_000);

afterAll(async () => {
  await estate?.ps.stop();
});

function audit(args: string[]): Promise<CliResult> {
  return runCli(["audit", "--budget", String(BUDGET), ...args], {
    env: estate.ps.env(CALLER_KEY),
    timeoutMs: 120_000,
  });
}

const pairs = (items: readonly { rule: string; keyArn: string }[]) =>
  items.map((item) => `${item.rule} ${item.keyArn}`).sort();

describe("keyplane audit on a seeded brownfield estate", () => {
  test("across accounts through AssumeRole: every planted pitfall and nothing else; a refusing account is an error", async () => {
    const accountsFile = join(estate.ps.dir, "accounts.yaml");
    writeFileSync(
      accountsFile,
      `accounts:\n  - "${ACCOUNT_A}"\n  - arn:aws:iam::${ACCOUNT_B}:role/${AUDIT_ROLE}\n  - "${ACCOUNT_DENIED}"\n`,
    );
    const result = await audit([
      "--accounts",
      accountsFile,
      "--role-name",
      AUDIT_ROLE,
      "--regions",
      "us-east-1,eu-west-1",
      "--output",
      "json",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as AuditJson;
    expect(pairs(report.findings)).toEqual(pairs(estate.planted));
    for (const finding of report.findings) {
      expect(Object.keys(finding).sort()).toEqual(
        ["account", "controls", "evidence", "fix", "keyArn", "region", "rule", "severity"].sort(),
      );
      expect(finding.keyArn).toContain(`:${finding.region}:${finding.account}:`);
      expect(finding.evidence).not.toBe("");
    }
    expect(report.findings.find((f) => f.rule === "rotation-off")?.controls).toContain(
      "AWS Security Hub KMS.4",
    );
    expect(report.findings.find((f) => f.rule === "wildcard-principal")?.controls).toContain(
      "AWS Security Hub KMS.5",
    );
    expect(report.errors).toEqual([
      expect.objectContaining({
        account: ACCOUNT_DENIED,
        roleArn: `arn:aws:iam::${ACCOUNT_DENIED}:role/${AUDIT_ROLE}`,
        error: "AccessDenied",
      }),
    ]);
    rmSync(accountsFile);
  }, 150_000);

  test("--shard 1/2 and 2/2 split the account-Region pairs; audit merge joins them into the whole report", async () => {
    const accountsFile = join(estate.ps.dir, "shard-accounts.json");
    writeFileSync(accountsFile, JSON.stringify([ACCOUNT_A, ACCOUNT_B]));
    const shard = (i: number) =>
      audit([
        "--accounts",
        accountsFile,
        "--role-name",
        AUDIT_ROLE,
        "--regions",
        "us-east-1,eu-west-1",
        "--output",
        "json",
        "--shard",
        `${i}/2`,
      ]);
    const results = [await shard(1), await shard(2)];
    const files = results.map((result, index) => {
      expect(result.code).toBe(0);
      const file = join(estate.ps.dir, `shard-${index + 1}.json`);
      writeFileSync(file, result.stdout);
      return file;
    });
    const first = JSON.parse(results[0]?.stdout ?? "") as AuditJson;
    // Pairs in order: A us-east-1, A eu-west-1, B us-east-1, B eu-west-1; shard 1 reads the 1st and 3rd.
    expect([...new Set(first.findings.map((f) => `${f.account} ${f.region}`))].sort()).toEqual([
      `${ACCOUNT_A} us-east-1`,
      `${ACCOUNT_B} us-east-1`,
    ]);
    const merged = await runCli(["audit", "merge", ...files, "--output", "json", "--fail-on", "critical"]);
    expect(merged.code).toBe(3);
    const report = JSON.parse(merged.stdout) as AuditJson;
    expect(pairs(report.findings)).toEqual(pairs(estate.planted));
    expect(report.errors).toEqual([]);
  }, 150_000);

  test("the caller's own account by default; --fail-on exits 3 at or above the severity", async () => {
    const result = await audit(["--output", "json", "--fail-on", "critical"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout) as AuditJson;
    expect(pairs(report.findings)).toEqual(
      pairs(estate.planted.filter((item) => item.keyArn.includes(`:us-east-1:${ACCOUNT_A}:`))),
    );
    expect(report.errors).toEqual([]);
  }, 120_000);

  test("--format sarif: a SARIF 2.1.0 log with the fields the schema requires", async () => {
    const result = await audit(["--format", "sarif", "--fail-on", "low"]);
    expect(result.code).toBe(3);
    const log = JSON.parse(result.stdout) as {
      version: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string }[] } };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
        }[];
      }[];
    };
    expect(log.version).toBe("2.1.0");
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run?.tool.driver.name).toBe("keyplane audit");
    const ruleIds = run?.tool.driver.rules.map((rule) => rule.id) ?? [];
    expect(ruleIds).toEqual(expect.arrayContaining(["unclassified", "over-budget", "admin-can-use"]));
    expect(run?.results.length).toBe(estate.planted.filter((item) => item.keyArn.includes(ACCOUNT_A)).length);
    for (const item of run?.results ?? []) {
      expect(ruleIds[item.ruleIndex]).toBe(item.ruleId);
      expect(["error", "warning", "note"]).toContain(item.level);
      expect(item.message.text.length).toBeGreaterThan(0);
      expect(item.locations[0]?.physicalLocation.artifactLocation.uri).toMatch(/^arn:aws:kms:/);
    }
  }, 120_000);

  test("a table by default", async () => {
    const result = await audit([]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toMatch(/^SEVERITY\s+RULE\s+ACCOUNT\s+REGION\s+KEY\s+EVIDENCE$/);
    expect(result.stdout).toContain("material-expired");
  }, 120_000);
});
