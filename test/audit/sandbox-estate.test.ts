/**
 * The sandbox's Organizations `ListAccounts` and Account `ListRegions`, through the AWS SDK's own clients:
 * the accounts of the principals file, the management account's privilege, pages, and the Regions enabled.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AccountClient, ListRegionsCommand, paginateListRegions } from "@aws-sdk/client-account";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  ListAccountsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from "@aws-sdk/client-organizations";
import { stringify } from "yaml";
import { runCli } from "../support/cli";
import { type SandboxHandle, startSandbox } from "../support/sandbox";

const MANAGEMENT = "444444444444";
const MEMBER = "555555555555";
const SUSPENDED = "666666666666";
const MANAGER_KEY = "AKIAORGMANAGER000001";
const MEMBER_KEY = "AKIAORGMEMBER0000001";

let dir: string;
let sandbox: SandboxHandle;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keyplane-estate-"));
  const principalsFile = join(dir, "principals.yaml");
  writeFileSync(
    principalsFile,
    stringify({
      principals: [
        { arn: `arn:aws:iam::${MEMBER}:user/first`, accessKeyId: MEMBER_KEY, secretAccessKey: "x" },
        { arn: `arn:aws:iam::${MANAGEMENT}:user/admin`, accessKeyId: MANAGER_KEY, secretAccessKey: "x" },
        {
          arn: `arn:aws:iam::${MANAGEMENT}:role/Audit`,
          accessKeyId: "AKIAORGMANAGERROLE01",
          secretAccessKey: "x",
        },
        {
          arn: `arn:aws:iam::${MEMBER}:role/Audit`,
          accessKeyId: "AKIAORGMEMBERROLE001",
          secretAccessKey: "x",
        },
      ],
      organization: { managementAccount: MANAGEMENT, suspendedAccounts: [SUSPENDED] },
      optInRegions: ["af-south-1"],
    }),
  );
  sandbox = await startSandbox({ extraArgs: ["--principals", principalsFile] });
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const credentials = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: "x" });
const organizations = (accessKeyId: string) =>
  new OrganizationsClient({
    endpoint: sandbox.url,
    region: "us-east-1",
    credentials: credentials(accessKeyId),
    maxAttempts: 1,
  });
const account = (accessKeyId: string) =>
  new AccountClient({
    endpoint: sandbox.url,
    region: "us-east-1",
    credentials: credentials(accessKeyId),
    maxAttempts: 1,
  });

describe("sandbox Organizations ListAccounts", () => {
  test("the management account lists every account of the file, page by page, suspended ones marked", async () => {
    const client = organizations(MANAGER_KEY);
    const listed = [];
    for await (const page of paginateListAccounts({ client, pageSize: 1 }, {})) {
      expect(page.Accounts).toHaveLength(1);
      listed.push(...(page.Accounts ?? []));
    }
    expect(listed.map((a) => [a.Id, a.State])).toEqual([
      [MANAGEMENT, "ACTIVE"],
      [MEMBER, "ACTIVE"],
      [SUSPENDED, "SUSPENDED"],
    ]);
    expect(listed[1]?.Arn).toMatch(
      new RegExp(`^arn:aws:organizations::${MANAGEMENT}:account/o-[a-z0-9]{10}/${MEMBER}$`),
    );
    expect(listed[1]?.JoinedTimestamp).toBeInstanceOf(Date);
    client.destroy();
  });

  test("a member account is refused with AWS's AccessDeniedException; a bad page size is InvalidInputException", async () => {
    const member = organizations(MEMBER_KEY);
    await expect(member.send(new ListAccountsCommand({}))).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: "You don't have permissions to access this resource.",
    });
    member.destroy();
    const manager = organizations(MANAGER_KEY);
    await expect(manager.send(new ListAccountsCommand({ MaxResults: 21 }))).rejects.toMatchObject({
      name: "InvalidInputException",
    });
    manager.destroy();
  });
});

describe("sandbox Account ListRegions", () => {
  test("AWS's default Regions and the file's opt-in ones are enabled; the other opt-in Regions are not", async () => {
    const client = account(MEMBER_KEY);
    const regions = [];
    for await (const page of paginateListRegions({ client, pageSize: 5 }, {}))
      regions.push(...(page.Regions ?? []));
    const status = Object.fromEntries(regions.map((r) => [r.RegionName, r.RegionOptStatus]));
    expect(status["us-east-1"]).toBe("ENABLED_BY_DEFAULT");
    expect(status["af-south-1"]).toBe("ENABLED");
    expect(status["me-south-1"]).toBe("DISABLED");
    expect(regions.filter((r) => r.RegionOptStatus === "ENABLED_BY_DEFAULT")).toHaveLength(17);
    const enabled = await client.send(
      new ListRegionsCommand({ RegionOptStatusContains: ["ENABLED", "ENABLED_BY_DEFAULT"] }),
    );
    expect(enabled.Regions).toHaveLength(18);
    client.destroy();
  });

  test("another account's Regions are for the management account only", async () => {
    const member = account(MEMBER_KEY);
    await expect(member.send(new ListRegionsCommand({ AccountId: MANAGEMENT }))).rejects.toMatchObject({
      name: "AccessDeniedException",
    });
    member.destroy();
    const manager = account(MANAGER_KEY);
    const output = await manager.send(new ListRegionsCommand({ AccountId: MEMBER, MaxResults: 50 }));
    expect(output.Regions?.length).toBeGreaterThan(17);
    manager.destroy();
  });
});

test("a principals file with an unknown opt-in Region is refused, naming the field", async () => {
  const file = join(dir, "bad-principals.yaml");
  writeFileSync(
    file,
    stringify({
      principals: [
        { arn: `arn:aws:iam::${MEMBER}:user/first`, accessKeyId: MEMBER_KEY, secretAccessKey: "x" },
      ],
      optInRegions: ["us-east-1"],
    }),
  );
  const result = await runCli(["sandbox", "--port", "0", "--principals", file], { timeoutMs: 30_000 });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/bad-principals\.yaml: optInRegions\.0: expected an opt-in Region/);
}, 40_000);

describe("keyplane audit --organization", () => {
  const keyIn = async (region: string) => {
    const kms = new KMSClient({ endpoint: sandbox.url, region, credentials: credentials(MEMBER_KEY) });
    const created = await kms.send(new CreateKeyCommand({}));
    kms.destroy();
    return created.KeyMetadata?.Arn ?? "";
  };
  const env = (accessKeyId: string) => ({
    ...sandbox.env(),
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: "x",
  });

  test("reads the ACTIVE accounts in every Region each has enabled: opt-in ones included, disabled ones not", async () => {
    const optedIn = await keyIn("af-south-1");
    await keyIn("me-south-1");
    const result = await runCli(
      ["audit", "--organization", "--role-name", "Audit", "--output", "json", "--workers", "2"],
      { env: env(MANAGER_KEY), timeoutMs: 120_000 },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { findings: { keyArn: string }[]; errors: unknown[] };
    // The suspended account has no role: had it been read, its AssumeRole would be an error here.
    expect(report.errors).toEqual([]);
    expect(new Set(report.findings.map((f) => f.keyArn))).toEqual(new Set([optedIn]));
  }, 130_000);

  test("from a member account: AWS's AccessDeniedException and what to do, in one line, exit 1", async () => {
    const result = await runCli(["audit", "--organization", "--role-name", "Audit"], {
      env: env(MEMBER_KEY),
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("Organizations ListAccounts: AccessDeniedException");
    expect(result.stderr).toContain("management account");
  }, 70_000);
});

test("--organization that lists no ACTIVE account is an error, not an audit of the caller's own account", async () => {
  const file = join(dir, "suspended-principals.yaml");
  writeFileSync(
    file,
    stringify({
      principals: [
        { arn: `arn:aws:iam::${MANAGEMENT}:user/admin`, accessKeyId: MANAGER_KEY, secretAccessKey: "x" },
      ],
      organization: { suspendedAccounts: [MANAGEMENT] },
    }),
  );
  const suspended = await startSandbox({ extraArgs: ["--principals", file] });
  try {
    const result = await runCli(["audit", "--organization", "--role-name", "Audit"], {
      env: { ...suspended.env(), AWS_ACCESS_KEY_ID: MANAGER_KEY, AWS_SECRET_ACCESS_KEY: "x" },
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("Organizations ListAccounts answered no ACTIVE account");
  } finally {
    await suspended.stop();
  }
}, 70_000);
