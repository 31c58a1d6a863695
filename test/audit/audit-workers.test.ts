/**
 * `keyplane audit --workers N` and `--organization` over the sandbox: the same report from one thread and
 * from two worker threads, and an account that fails inside a worker reported while the rest finish.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { allow, type PrincipalSandbox, startWithPrincipals } from "../policies/principals";
import { runCli } from "../support/cli";
import { AUDIT_ROLE, type Brownfield, BUDGET, CALLER_KEY, seedBrownfield } from "./brownfield";

interface AuditJson {
  findings: { rule: string; keyArn: string; account: string; region: string }[];
  errors: { account: string; region?: string; error: string }[];
}

const pairs = (items: readonly { rule: string; keyArn: string }[]) =>
  items.map((item) => `${item.rule} ${item.keyArn}`).sort();

describe("on the seeded brownfield estate", () => {
  let estate: Brownfield;

  beforeAll(async () => {
    estate = await seedBrownfield();
  }, 180_000);

  afterAll(async () => {
    await estate?.ps.stop();
  });

  test("--organization, every enabled Region: the same report from 1 and 2 workers, every planted pitfall", async () => {
    // The caller is the first principal's account: the sandbox's management account.
    const run = (workers: string) =>
      runCli(
        [
          "audit",
          "--organization",
          "--role-name",
          AUDIT_ROLE,
          "--budget",
          String(BUDGET),
          "--output",
          "json",
        ].concat(["--workers", workers]),
        { env: estate.ps.env(CALLER_KEY), timeoutMs: 170_000 },
      );
    const one = await run("1");
    const two = await run("2");
    expect(one.stderr).toBe("");
    expect(one.code).toBe(0);
    expect(two.stderr).toBe("");
    expect(two.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    const report = JSON.parse(one.stdout) as AuditJson;
    expect(pairs(report.findings)).toEqual(pairs(estate.planted));
    expect(report.errors).toEqual([]);
  }, 360_000);
});

describe("an account that fails inside a worker", () => {
  const READER = "777777777777";
  const LOCKED = "888888888888";
  let ps: PrincipalSandbox;
  let keyArn: string;

  beforeAll(async () => {
    ps = await startWithPrincipals(
      [
        { arn: `arn:aws:iam::${READER}:user/auditor`, accessKeyId: "AKIAWORKERAUDITOR001" },
        {
          arn: `arn:aws:iam::${READER}:role/Audit`,
          accessKeyId: "AKIAWORKERREADER0001",
          identityPolicies: [allow("kms:*")],
        },
        // No identity policy: with --enforce-policies, ListKeys in this account is AccessDeniedException.
        { arn: `arn:aws:iam::${LOCKED}:role/Audit`, accessKeyId: "AKIAWORKERLOCKED0001" },
      ],
      { enforce: true },
    );
    const kms = ps.kms("AKIAWORKERREADER0001", { region: "eu-west-1" });
    const created = await kms.send(new CreateKeyCommand({ Description: "hand-made" }));
    keyArn = created.KeyMetadata?.Arn ?? "";
  }, 60_000);

  afterAll(async () => {
    await ps?.stop();
  });

  test("its Regions are errors, the other account's findings are all there, with 1 or 2 workers alike", async () => {
    const accounts = join(ps.dir, "accounts.json");
    writeFileSync(accounts, JSON.stringify([READER, LOCKED]));
    const run = (workers: string) =>
      runCli(
        ["audit", "--accounts", accounts, "--role-name", "Audit", "--regions", "us-east-1,eu-west-1"].concat([
          "--output",
          "json",
          "--workers",
          workers,
        ]),
        { env: ps.env("AKIAWORKERAUDITOR001"), timeoutMs: 120_000 },
      );
    const two = await run("2");
    expect(two.stderr).toBe("");
    expect(two.code).toBe(0);
    const report = JSON.parse(two.stdout) as AuditJson;
    expect(report.errors).toEqual([
      expect.objectContaining({ account: LOCKED, region: "eu-west-1", error: "AccessDeniedException" }),
      expect.objectContaining({ account: LOCKED, region: "us-east-1", error: "AccessDeniedException" }),
    ]);
    expect(report.findings.map((f) => f.rule)).toContain("unclassified");
    expect(new Set(report.findings.map((f) => f.keyArn))).toEqual(new Set([keyArn]));
    expect((await run("1")).stdout).toBe(two.stdout);
  }, 240_000);
});
