import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/cli";

const ROOT = join(__dirname, "..", "..");
const EXAMPLE = readFileSync(join(ROOT, "keyplan.example.yaml"), "utf8");

describe("keyplane plan access", () => {
  const dir = mkdtempSync(join(tmpdir(), "keyplane-access-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const planFile = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  test.each(["keyplan.example.yaml", "examples/decentralized.keyplan.yaml"])(
    "%s: the matrix shows every role as intended, no deviation (exit 0)",
    async (plan) => {
      const result = await runCli(["--output", "json", "plan", "access", "--plan", join(ROOT, plan)], {
        timeoutMs: 120_000,
      });
      expect(result.stderr).toContain("every principal can do what the plan intends, and no more");
      expect(result.code).toBe(0);
      const matrix = JSON.parse(result.stdout) as {
        keys: {
          alias: string;
          principals: {
            principal: string;
            roles: string[];
            administer: boolean;
            import: boolean;
            use: string[];
          }[];
          deviations: string[];
        }[];
        identityPolicies: {
          principal: string;
          roles: string[];
          policy: { Statement: { Action: string[] }[] };
        }[];
      };
      for (const key of matrix.keys) {
        expect(key.deviations).toEqual([]);
        for (const entry of key.principals) {
          if (entry.roles.includes("administrator"))
            expect(entry).toMatchObject({ administer: true, use: [] });
          if (entry.roles.includes("custodian")) expect(entry.use).toEqual([]);
        }
      }
      const custodian = matrix.identityPolicies.find((entry) => entry.roles.includes("custodian"));
      expect(custodian?.policy.Statement[0]?.Action).toEqual(["kms:ListAliases", "kms:ListKeys"]);
    },
    150_000,
  );

  test("the example's restricted key: custodian imports, application uses through its own services only", async () => {
    const result = await runCli(["plan", "access", "--plan", join(ROOT, "keyplan.example.yaml")], {
      timeoutMs: 120_000,
    });
    expect(result.stdout).toMatch(
      /alias\/acme\/payments\/restricted\/s3\s+arn:aws:iam::111111111111:role\/KeyCustodian\s+custodian\s+-\s+yes\s+-\s+-\s+yes/,
    );
    expect(result.stdout).toMatch(
      /alias\/acme\/payments\/restricted\/rds\s+arn:aws:iam::222222222222:role\/payments-api\s+user\s+-\s+-\s+rds\s+yes\s+-/,
    );
  }, 150_000);

  test.each([
    [
      "an administrator who is also a user of its own account",
      EXAMPLE.replace('account: "222222222222"', 'account: "111111111111"').replace(
        'users: ["arn:aws:iam::222222222222:role/payments-api"]',
        'users: ["arn:aws:iam::111111111111:role/KeyAdmin"]',
      ),
      "deviation: arn:aws:iam::111111111111:role/KeyAdmin administers alias/acme/payments/restricted/s3 and can also use it (s3)",
    ],
    [
      "a custodian who is also a user",
      EXAMPLE.replace('account: "222222222222"', 'account: "111111111111"').replace(
        'users: ["arn:aws:iam::222222222222:role/payments-api"]',
        'users: ["arn:aws:iam::111111111111:role/KeyCustodian"]',
      ),
      "deviation: arn:aws:iam::111111111111:role/KeyCustodian is a custodian and can decrypt or use data under alias/acme/payments/restricted/s3 (s3)",
    ],
    [
      "no administrator (lockout)",
      EXAMPLE.replace('administrators: ["arn:aws:iam::111111111111:role/KeyAdmin"]', "administrators: []"),
      "deviation: nobody of the plan's administrators can administer alias/acme/payments/restricted/s3 (lockout)",
    ],
    [
      "a user listed under another account than its application's",
      EXAMPLE.replace(
        'users: ["arn:aws:iam::222222222222:role/payments-api"]',
        'users: ["arn:aws:iam::999999999999:role/payments-api"]',
      ),
      "deviation: none of payments's users can use alias/acme/payments/restricted/s3 through s3",
    ],
  ])(
    "%s: each deviation reported, exit 3",
    async (_name, text, expected) => {
      const file = planFile(`${_name.replace(/\W+/g, "-")}.yaml`, text);
      const result = await runCli(["plan", "access", "--plan", file], { timeoutMs: 120_000 });
      expect(result.stderr).toContain(expected);
      expect(result.code).toBe(3);
    },
    150_000,
  );

  test("a key policy that would lock everyone out is refused at synth (plan lint gate)", async () => {
    const file = planFile(
      "lockout.yaml",
      EXAMPLE.replace('administrators: ["arn:aws:iam::111111111111:role/KeyAdmin"]', "administrators: []"),
    );
    const result = await runCli(["plan", "lint", "--plan", file], { timeoutMs: 120_000 });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("KP-LOCKOUT");
    expect(result.stdout).toContain("KP-ACCESS-MATRIX");
  }, 150_000);

  test("a missing plan file is one line, exit 1", async () => {
    const result = await runCli(["plan", "access", "--plan", join(dir, "absent.yaml")]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("absent.yaml: no such file");
  });
});
