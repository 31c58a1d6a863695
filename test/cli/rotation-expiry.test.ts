import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  KMSClient,
  ListKeyRotationsCommand,
} from "@aws-sdk/client-kms";
import { runCli } from "../support/cli";
import { DUMMY_CREDENTIALS, type SandboxHandle, startSandbox } from "../support/sandbox";
import { journalEvents, killWhenJournaled, taggedKey } from "./fleet-support";

// Each test runs ceremonies, clock moves and several CLI processes against its own sandbox.
jest.setTimeout(240_000);

// Ceremonies, renewals and applies with imports, each a child process: a budget that holds on a loaded
// machine (one test here timed out at the 60 s default under load).
jest.setTimeout(180_000);

const dir = mkdtempSync(join(tmpdir(), "keyplane-fleet-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ceremony(key: string, name: string, expiresIn: string): string[] {
  return [
    "--journal",
    join(dir, `${name}.jsonl`),
    "--yes",
    "byok",
    "ceremony",
    "--key",
    key,
    "--material",
    "generate",
    "--expires-in",
    expiresIn,
    "--escrow-dir",
    join(dir, name),
    "--escrow-shares",
    "3",
    "--escrow-threshold",
    "2",
  ];
}

describe("keyplane expiry", () => {
  let sandbox: SandboxHandle;
  let env: Record<string, string>;
  beforeAll(async () => {
    sandbox = await startSandbox({ wrappingKeyPool: 2 });
    env = sandbox.env();
  });
  afterAll(() => sandbox.stop());

  test("exit 3 for PendingImport, within the threshold and once expired; 0 outside it; renew from escrow", async () => {
    const kms = sandbox.kms();
    const arn = await taggedKey(kms, "alias/fleet/expiring", { validityDays: "20" });
    const pending = await runCli(["--output", "json", "expiry"], { env });
    expect(pending.code).toBe(3);
    expect(JSON.parse(pending.stdout).materials[0]).toMatchObject({ keyArn: arn, status: "pending-import" });

    expect((await runCli(ceremony(arn, "expiring", "20d"), { env })).code).toBe(0);
    const within = await runCli(["--output", "json", "expiry", "--within", "30d"], { env });
    expect(within.code).toBe(3);
    const report = JSON.parse(within.stdout);
    expect(report).toMatchObject({ within: "30d", regions: ["us-east-1"], attention: true });
    expect(report.materials).toEqual([
      expect.objectContaining({
        alias: "alias/fleet/expiring",
        classification: "restricted",
        plan: "fleet",
        keySpec: "SYMMETRIC_DEFAULT",
        keyState: "Enabled",
        materialState: "CURRENT",
        daysLeft: 19,
        status: "warning",
      }),
    ]);
    const outside = await runCli(["expiry", "--within", "10d"], { env });
    expect(outside.code).toBe(0);
    expect(outside.stdout).toMatch(
      /alias\/fleet\/expiring\s+us-east-1\s+restricted\s+SYMMETRIC_DEFAULT\s+CURRENT/,
    );

    await sandbox.advanceClock("21d");
    const expired = await runCli(["--output", "json", "expiry", "--within", "10d"], { env });
    expect(expired.code).toBe(3);
    // KMS forgets an expired material's ValidTo: it reads as waiting for import again, with its id kept.
    expect(JSON.parse(expired.stdout).materials[0]).toMatchObject({
      status: "pending-import",
      keyState: "PendingImport",
      keyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    const renew = await runCli(
      [
        "--output",
        "json",
        "--journal",
        join(dir, "expiring.jsonl"),
        "expiry",
        "renew",
        "--key",
        "alias/fleet/expiring",
        "--escrow-dir",
        join(dir, "expiring"),
      ],
      { env },
    );
    expect(renew.stderr).toMatch(
      /^journal \S+: \d+ entries, last hash [0-9a-f]{64} \(keep it for verify --last-hash\)\n$/,
    );
    expect(renew.code).toBe(0);
    expect(JSON.parse(renew.stdout)).toMatchObject({ keyArn: arn, verified: "encrypt-decrypt" });
    const after = await runCli(["expiry", "--within", "10d"], { env });
    expect(after.code).toBe(0);
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: arn }));
    expect(KeyMetadata?.KeyState).toBe("Enabled");
    expect((await runCli(["byok", "journal", "verify", join(dir, "expiring.jsonl")])).code).toBe(0);
  });

  test("--regions scans each region; a bad region or threshold is a usage error", async () => {
    {
      const kms = sandbox.kms();
      await taggedKey(kms, "alias/fleet/east");
      const eu = new KMSClient({
        endpoint: sandbox.url,
        region: "eu-west-1",
        credentials: DUMMY_CREDENTIALS,
      });
      await eu.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
      eu.destroy();
      // Both regions through one endpoint: the sandbox serves the region each request is signed for.
      const both = await runCli(["--output", "json", "expiry", "--regions", "us-east-1,eu-west-1"], { env });
      const regions = new Set(JSON.parse(both.stdout).materials.map((m: { region: string }) => m.region));
      expect([...regions].sort()).toEqual(["eu-west-1", "us-east-1"]);
      expect(both.code).toBe(3);
    }
    for (const args of [
      ["expiry", "--regions", "mars"],
      ["expiry", "--within", "soon"],
    ]) {
      const result = await runCli(args, { env });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});

describe("keyplane rotation", () => {
  test("status, plan and apply: enable automatic rotation, import-and-rotate a due imported key, then nothing", async () => {
    const sandbox = await startSandbox({ wrappingKeyPool: 2 });
    try {
      const env = sandbox.env();
      const kms = sandbox.kms();
      const managed = await taggedKey(kms, "alias/fleet/managed", { origin: "AWS_KMS", rotationDays: "180" });
      const byok = await taggedKey(kms, "alias/fleet/byok", { validityDays: "365" });
      expect((await runCli(ceremony(byok, "rotation", "365d"), { env })).code).toBe(0);
      await sandbox.advanceClock("80d");

      const status = await runCli(["--output", "json", "rotation", "status"], { env });
      expect(status.code).toBe(3);
      const keys = JSON.parse(status.stdout).keys;
      expect(keys).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            keyArn: managed,
            mode: "automatic",
            periodWantedDays: 180,
            status: "misconfigured",
          }),
          expect.objectContaining({ keyArn: byok, mode: "on-demand", periodWantedDays: 90, status: "due" }),
        ]),
      );
      const plan = await runCli(["--output", "json", "rotation", "plan"], { env });
      expect(plan.code).toBe(3);
      expect(
        JSON.parse(plan.stdout)
          .actions.map((a: { action: string; outcome: string }) => [a.action, a.outcome])
          .sort(),
      ).toEqual([
        ["enable-automatic-rotation", "planned"],
        ["import-and-rotate-on-demand", "planned"],
      ]);

      const table = await runCli(["rotation", "plan"], { env });
      expect(table.stdout.split("\n")[0]).toMatch(/^OUTCOME\s+KEY\s+ACTION\s+CHECK VALUE\s+DETAIL$/);

      const missing = await runCli(["--journal", join(dir, "rot.jsonl"), "rotation", "apply"], { env });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("missing --escrow-dir");

      const apply = [
        "--output",
        "json",
        "--journal",
        join(dir, "rot.jsonl"),
        "rotation",
        "apply",
        "--escrow-dir",
        join(dir, "rot-escrow"),
      ];
      const applied = await runCli(apply, { env });
      expect(applied.code).toBe(0);
      const actions = JSON.parse(applied.stdout).actions as {
        action: string;
        outcome: string;
        checkValue?: string;
        escrowFiles?: string[];
      }[];
      expect(actions.map((a) => a.outcome)).toEqual(["done", "done"]);
      // The new material's check value and share files, for the custodians' paper record (newcomer m12).
      expect(actions.find((a) => a.action === "import-and-rotate-on-demand")).toMatchObject({
        checkValue: expect.stringMatching(/^[0-9A-F]{6}$/),
        escrowFiles: [expect.stringContaining("rot-escrow"), expect.any(String), expect.any(String)],
      });
      const again = await runCli(apply, { env });
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout).actions).toEqual([]);
      expect((await runCli(["rotation", "status"], { env })).code).toBe(0);
      const rotations = await kms.send(
        new ListKeyRotationsCommand({ KeyId: byok, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
      );
      expect(rotations.Rotations?.filter((r) => r.RotationType === "ON_DEMAND")).toHaveLength(1);
      expect((await runCli(["byok", "journal", "verify", join(dir, "rot.jsonl")])).code).toBe(0);
    } finally {
      await sandbox.stop();
    }
  });

  test.each(["rotation.escrow", "rotation.import"])(
    "killed with SIGKILL right after %s is journaled, a rerun finishes without importing or rotating twice",
    async (event) => {
      // Latency keeps the killed run from reaching its next KMS call before the signal lands.
      const sandbox = await startSandbox({ latencyMs: 150 });
      try {
        const env = sandbox.env();
        const kms = sandbox.kms();
        const name = `kill-${event.split(".")[1]}`;
        const byok = await taggedKey(kms, `alias/fleet/${name}`, { validityDays: "365" });
        expect((await runCli(ceremony(byok, name, "365d"), { env })).code).toBe(0);
        await sandbox.advanceClock("80d");
        const journal = join(dir, `${name}.jsonl`);
        const args = ["--journal", journal, "rotation", "apply", "--escrow-dir", join(dir, `${name}-new`)];
        const killed = await killWhenJournaled(args, env, journal, event);
        expect(killed.killed).toBe(true);
        expect(journalEvents(journal)).not.toContain("rotation.rotate");

        const rerun = await runCli(args, { env });
        // Killed after the import, the new material waits in KMS: the rerun only rotates to it.
        expect(rerun.stderr).toMatch(/(import-and-)?rotate-on-demand done/);
        expect(rerun.code).toBe(0);
        const events = journalEvents(journal);
        expect(events.filter((e) => e === "rotation.escrow")).toHaveLength(1);
        expect(events.filter((e) => e === "rotation.import")).toHaveLength(1);
        expect(events.filter((e) => e === "rotation.rotate")).toHaveLength(1);
        const rotations = await kms.send(
          new ListKeyRotationsCommand({ KeyId: byok, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
        );
        expect(rotations.Rotations).toHaveLength(2);
        expect(rotations.Rotations?.filter((r) => r.RotationType === "ON_DEMAND")).toHaveLength(1);
        expect((await runCli(args, { env })).stderr).toContain("nothing to do");
        expect((await runCli(["byok", "journal", "verify", journal])).code).toBe(0);
      } finally {
        await sandbox.stop();
      }
    },
  );
});

describe("keyplane rotation apply over a batch", () => {
  test("keys rotate side by side; killed mid-batch, a rerun finishes every key exactly once", async () => {
    const sandbox = await startSandbox({ latencyMs: 40, extraArgs: ["--wrapping-key-pool", "2"] });
    try {
      const env = sandbox.env();
      const kms = sandbox.kms();
      const keys: string[] = [];
      for (let i = 0; i < 6; i += 1) {
        const arn = await taggedKey(kms, `alias/batch/key-${i}`, { validityDays: "365", plan: "batch" });
        expect((await runCli(ceremony(arn, `batch-${i}`, "365d"), { env })).code).toBe(0);
        keys.push(arn);
      }
      await sandbox.advanceClock("80d");
      const journal = join(dir, "batch.jsonl");
      const args = [
        "--journal",
        journal,
        "rotation",
        "apply",
        "--plan",
        "batch",
        "--escrow-dir",
        join(dir, "batch-new"),
      ];
      const killed = await killWhenJournaled(args, env, journal, "rotation.import");
      expect(killed.killed).toBe(true);
      // Several keys were in flight when the first import landed.
      expect(journalEvents(journal).filter((e) => e === "rotation.escrow").length).toBeGreaterThan(1);

      const rerun = await runCli(args, { env });
      expect(rerun.code).toBe(0);
      const records = readFileSync(journal, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { event: string; keyArn: string });
      for (const arn of keys) {
        const mine = records.filter((record) => record.keyArn === arn).map((record) => record.event);
        expect(mine.filter((e) => e === "rotation.import")).toHaveLength(1);
        expect(mine.filter((e) => e === "rotation.rotate")).toHaveLength(1);
        const rotations = await kms.send(
          new ListKeyRotationsCommand({ KeyId: arn, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
        );
        expect(rotations.Rotations?.filter((r) => r.RotationType === "ON_DEMAND")).toHaveLength(1);
      }
      expect((await runCli(args, { env })).stderr).toContain("nothing to do");
      expect((await runCli(["byok", "journal", "verify", journal])).code).toBe(0);
    } finally {
      await sandbox.stop();
    }
  }, 240_000);
});

describe("keyplane expiry renew with sealed shares", () => {
  test("--share files sealed under custodian passphrases (--passphrase-file) bring expired material back", async () => {
    const sandbox = await startSandbox({ wrappingKeyPool: 2 });
    try {
      const env = sandbox.env();
      const kms = sandbox.kms();
      const arn = await taggedKey(kms, "alias/fleet/sealed", { validityDays: "30" });
      const material = join(dir, "sealed.bin");
      writeFileSync(material, randomBytes(32), { mode: 0o600 });
      const args = ceremony(arn, "sealed", "5d").map((arg) =>
        arg === "generate" ? `file:${material}` : arg,
      );
      expect((await runCli(args, { env })).code).toBe(0);
      const passphrases = ["alice-passphrase", "bob-passphrase", "carol-passphrase"].map((text, i) => {
        const file = join(dir, `pass-${i}.txt`);
        writeFileSync(file, `${text}\n`, { mode: 0o600 });
        return file;
      });
      const sealed = join(dir, "sealed-shares");
      const split = await runCli(
        [
          "byok",
          "escrow",
          "split",
          "--material",
          material,
          "--key-spec",
          "SYMMETRIC_DEFAULT",
          "--shares",
          "3",
          "--threshold",
          "2",
          "--out-dir",
          sealed,
          "--key",
          arn,
          "--passphrase-file",
          ...passphrases,
        ],
        { env },
      );
      expect(split.code).toBe(0);
      rmSync(material);
      await sandbox.advanceClock("6d");
      expect((await runCli(["expiry"], { env })).code).toBe(3);
      const shares = readdirSync(sealed)
        .sort()
        .map((name) => join(sealed, name));
      const withoutPassphrase = await runCli(
        ["expiry", "renew", "--key", arn, "--share", shares[0]!, shares[2]!],
        { env },
      );
      expect(withoutPassphrase.code).toBe(1);
      const renewed = await runCli(
        [
          "--output",
          "json",
          "expiry",
          "renew",
          "--key",
          arn,
          "--share",
          shares[0]!,
          shares[2]!,
          "--passphrase-file",
          passphrases[0]!,
          passphrases[2]!,
        ],
        { env },
      );
      expect(renewed.stderr).toBe("");
      expect(renewed.code).toBe(0);
      const days =
        (Date.parse(JSON.parse(renewed.stdout).validTo) - Date.parse(JSON.parse(renewed.stdout).observedAt)) /
        86_400_000;
      expect(Math.round(days)).toBe(30);
      expect((await runCli(["expiry", "--within", "10d"], { env })).code).toBe(0);
    } finally {
      await sandbox.stop();
    }
  });
});
