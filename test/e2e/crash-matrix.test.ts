/**
 * The crash matrix (issue 10): every material flow (ceremony, rotation apply, expiry renew) is SIGKILLed at
 * every state-changing boundary by a failpoint (byok/steps/failpoint.ts), then rerun with the same command.
 * Each cell must converge: the rerun exits 0; the material KMS uses is the escrowed material (the sandbox's
 * KeyMaterialId is SHA-256 over the key id and the material, so the escrow's combined bytes must give it);
 * nothing was imported twice (ListKeyRotations counts the materials); the journal verifies; every key's
 * cycle is closed. The matrix is printed at the end. The matrix runs on an enforcing sandbox as the real
 * roles: the keys are created by the deploy role with keyplane's key policy, every flow runs as the custodian.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  type KMSClient,
  ListKeyRotationsCommand,
  TagResourceCommand,
} from "@aws-sdk/client-kms";
import { combineShareFiles } from "../../byok/escrow/combine";
import { listManifests } from "../../byok/escrow/manifest";
import { readJournal, verifyJournal } from "../../byok/journal/journal";
import { unfinishedCycle } from "../../byok/steps/cycle";
import { KeyPolicy } from "../../stacks/policy/key-policy";
import { killWhenJournaled } from "../cli/fleet-support";
import { allow, type PrincipalSandbox, startWithPrincipals } from "../policies/principals";
import { type CliResult, runCli, withoutJournalAnchor } from "../support/cli";
import { startLossyProxy } from "../support/lossy-proxy";
import { type SandboxHandle, startSandbox } from "../support/sandbox";

jest.setTimeout(900_000);

type Flow = "ceremony" | "rotation" | "renew";
const BOUNDARIES: Record<Flow, string[]> = {
  ceremony: [
    "begin",
    "escrow-share",
    "escrow-manifest",
    "escrow",
    "import-kms",
    "import",
    "verify",
    "complete",
  ],
  rotation: [
    "begin",
    "escrow-share",
    "escrow-manifest",
    "escrow",
    "import-kms",
    "import",
    "rotate-kms",
    "rotate",
    "verify",
    "complete",
  ],
  renew: ["begin", "import-kms", "import", "verify", "complete"],
};
/** Materials KMS must list for a key after the flow: the first import, plus one per rotation. */
const MATERIALS_AFTER: Record<Flow, number> = { ceremony: 1, rotation: 2, renew: 1 };

const DEPLOYER = {
  arn: "arn:aws:iam::111111111111:role/KeyplaneDeploy",
  accessKeyId: "AKIACRASHDEPLOYER001",
};
const CUSTODIAN = { arn: "arn:aws:iam::111111111111:role/KeyCustodian", accessKeyId: "AKIACRASHCUSTODIAN01" };
/** keyplane's key policy for an external key: administrators manage, the deploy role deploys, custodians import. */
const KEY_POLICY = new KeyPolicy({ account: "111111111111", region: "us-east-1" })
  .allowAdministrators(["arn:aws:iam::111111111111:role/KeyAdmin"], { rotateOnDemand: false })
  .allowDeployers([DEPLOYER.arn])
  .allowCustodians([CUSTODIAN.arn], { usage: "ENCRYPT_DECRYPT", symmetric: true })
  .render();

let world: PrincipalSandbox;
/** The custodian's client and environment: every flow of the matrix runs as the custodian. */
let kms: KMSClient;
let env: Record<string, string>;
let deployer: KMSClient;
const root = mkdtempSync(join(tmpdir(), "keyplane-crash-"));
const matrix: { flow: Flow; boundary: string; converged: boolean; note: string }[] = [];

beforeAll(async () => {
  world = await startWithPrincipals(
    [
      { ...DEPLOYER, identityPolicies: [allow("kms:CreateKey", "kms:TagResource")] },
      { ...CUSTODIAN, identityPolicies: [allow("kms:ListKeys", "kms:ListAliases")] },
    ],
    { enforce: true, wrappingKeyPool: 2 },
  );
  kms = world.kms(CUSTODIAN.accessKeyId);
  deployer = world.kms(DEPLOYER.accessKeyId);
  env = world.env(CUSTODIAN.accessKeyId);
});
afterAll(async () => {
  await world?.stop();
  rmSync(root, { recursive: true, force: true });
  const lines = matrix.map(
    (cell) =>
      `${cell.flow.padEnd(9)} ${cell.boundary.padEnd(16)} ${cell.converged ? "converged" : `FAILED ${cell.note}`}`,
  );
  const converged = matrix.filter((cell) => cell.converged).length;
  process.stdout.write(
    `\ncrash matrix (flow x boundary -> rerun converges): ${converged}/${matrix.length}\n${lines.join("\n")}\n`,
  );
});

async function externalKey(tags: Record<string, string>): Promise<string> {
  const { KeyMetadata } = await deployer.send(
    new CreateKeyCommand({
      Origin: "EXTERNAL",
      KeySpec: "SYMMETRIC_DEFAULT",
      KeyUsage: "ENCRYPT_DECRYPT",
      Policy: KEY_POLICY,
      Tags: Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
    }),
  );
  return KeyMetadata?.Arn ?? "";
}

const ceremonyArgs = (key: string, journal: string, escrow: string, expires = "30d") => [
  "--journal",
  journal,
  "--yes",
  "byok",
  "ceremony",
  "--key",
  key,
  "--material",
  "generate",
  "--expires-in",
  expires,
  "--escrow-dir",
  escrow,
  "--escrow-shares",
  "3",
  "--escrow-threshold",
  "2",
];

const cli = (args: string[], failpoint?: string): Promise<CliResult> =>
  runCli(args, {
    env: { ...env, ...(failpoint ? { KEYPLANE_FAILPOINT: failpoint } : {}) },
    timeoutMs: 120_000,
  });

/** The escrowed material of the key's newest complete split gives the KeyMaterialId KMS reports as current. */
async function escrowMatchesKms(keyArn: string, escrowDir: string): Promise<string | undefined> {
  const keyId = keyArn.split("/").at(-1) ?? "";
  const described = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
  const current = described.KeyMetadata?.CurrentKeyMaterialId;
  const splits = listManifests(escrowDir).filter((manifest) => manifest.keyArn === keyArn);
  for (const split of splits) {
    const { material } = await combineShareFiles({
      files: split.files.slice(0, 2).map((name) => join(escrowDir, name)),
    });
    const id = material.withBytes((bytes) =>
      createHash("sha256")
        .update("keyplane-sandbox-key-material\0")
        .update(keyId)
        .update("\0")
        .update(bytes)
        .digest("hex"),
    );
    material.dispose();
    if (id === current) return undefined;
  }
  return `KMS's current material ${current} is in no complete escrow split of ${keyId} (${splits.length} splits)`;
}

async function materialCount(keyArn: string): Promise<number> {
  const listed = await kms.send(
    new ListKeyRotationsCommand({ KeyId: keyArn, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
  );
  return new Set((listed.Rotations ?? []).map((entry) => entry.KeyMaterialId)).size;
}

/** Every check of a converged cell; returns what failed, or undefined. */
async function convergence(
  flow: Flow,
  keys: string[],
  journal: string,
  escrowDir: string,
): Promise<string | undefined> {
  try {
    verifyJournal(journal);
  } catch (error) {
    return `journal: ${(error as Error).message}`;
  }
  const records = readJournal(journal).map((entry) => ({
    ...entry,
    keyArn: String(entry.keyArn ?? ""),
    outcome: entry.outcome === "failed" ? ("failed" as const) : ("ok" as const),
  }));
  for (const key of keys) {
    if (unfinishedCycle(records, key)) return `${key}: its cycle is still open`;
    // A renewal re-imports the same material, so running it again after it finished is a second, harmless
    // renewal; the other flows must close each key's cycle exactly once.
    const completes = records.filter(
      (record) => record.keyArn === key && record.event === `${flow}.complete`,
    );
    if (flow === "renew" ? completes.length < 1 : completes.length !== 1) {
      return `${key}: ${completes.length} ${flow}.complete records`;
    }
    const count = await materialCount(key);
    if (count !== MATERIALS_AFTER[flow])
      return `${key}: ${count} materials, expected ${MATERIALS_AFTER[flow]}`;
    const mismatch = await escrowMatchesKms(key, escrowDir);
    if (mismatch) return mismatch;
  }
  return undefined;
}

async function cell(
  flow: Flow,
  boundary: string,
  run: () => Promise<{ keys: string[]; journal: string; escrow: string; args: string[] }>,
) {
  const { keys, journal, escrow, args } = await run();
  const killed = await cli(args, boundary);
  const rerun = await cli(args);
  let note = "";
  if (killed.signal !== "SIGKILL")
    note = `the failpoint did not fire (exit ${killed.code}: ${killed.stderr.trim()})`;
  else if (rerun.code !== 0) note = `rerun exit ${rerun.code}: ${rerun.stderr.trim()}`;
  else note = (await convergence(flow, keys, journal, escrow)) ?? "";
  matrix.push({ flow, boundary, converged: note === "", note });
  return note;
}

describe("crash matrix: kill at every boundary, rerun, converge", () => {
  test.each(BOUNDARIES.ceremony)("ceremony killed at %s", async (boundary) => {
    const note = await cell("ceremony", boundary, async () => {
      const dir = mkdtempSync(join(root, `ceremony-${boundary}-`));
      const key = await externalKey({ "keyplane:classification": "restricted" });
      const journal = join(dir, "journal.jsonl");
      const escrow = join(dir, "escrow");
      return { keys: [key], journal, escrow, args: ceremonyArgs(key, journal, escrow) };
    });
    expect(note).toBe("");
  });

  test.each(BOUNDARIES.renew)("expiry renew killed at %s", async (boundary) => {
    const note = await cell("renew", boundary, async () => {
      const dir = mkdtempSync(join(root, `renew-${boundary}-`));
      const key = await externalKey({ "keyplane:classification": "restricted" });
      const journal = join(dir, "journal.jsonl");
      const escrow = join(dir, "escrow");
      const setup = await cli(ceremonyArgs(key, journal, escrow, "5d"));
      expect(withoutJournalAnchor(setup.stderr)).toBe("");
      return {
        keys: [key],
        journal,
        escrow,
        args: [
          "--journal",
          journal,
          "expiry",
          "renew",
          "--key",
          key,
          "--escrow-dir",
          escrow,
          "--expires-in",
          "60d",
        ],
      };
    });
    expect(note).toBe("");
  });

  test.each(BOUNDARIES.rotation)("rotation apply (3 keys, 8 at once) killed at %s", async (boundary) => {
    const note = await cell("rotation", boundary, async () => {
      const dir = mkdtempSync(join(root, `rotation-${boundary}-`));
      const plan = `crash-${boundary}`;
      const journal = join(dir, "journal.jsonl");
      const escrow = join(dir, "escrow");
      const keys: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const key = await externalKey({
          "keyplane:plan": plan,
          "keyplane:classification": "restricted",
          "keyplane:rotation-days": "90",
          "keyplane:material-validity-days": "365",
        });
        const setup = await cli(ceremonyArgs(key, join(dir, "setup.jsonl"), escrow, "365d"));
        expect(setup.code).toBe(0);
        keys.push(key);
      }
      // Each cell's keys are made due by the clock; keys of earlier cells were rotated already.
      await world.sandbox.advanceClock("100d");
      return {
        keys,
        journal,
        escrow,
        args: [
          "--journal",
          journal,
          "rotation",
          "apply",
          "--plan",
          plan,
          "--escrow-dir",
          escrow,
          "--escrow-shares",
          "3",
          "--escrow-threshold",
          "2",
        ],
      };
    });
    expect(note).toBe("");
  });
});

describe("an answer lost after KMS acted: the SDK's retry finds the work done, the first run converges", () => {
  /** Drops the first answer of each ImportKeyMaterial and RotateKeyOnDemand per key: KMS did it, nobody heard. */
  const firstAnswers = () => {
    const seen = new Set<string>();
    return (operation: string, input: Record<string, unknown>) => {
      if (operation !== "ImportKeyMaterial" && operation !== "RotateKeyOnDemand") return false;
      const call = `${operation} ${String(input.KeyId)}`;
      if (seen.has(call)) return false;
      seen.add(call);
      return true;
    };
  };

  test.each([
    ["ceremony", 1],
    ["renew", 1],
    ["rotation", 3],
  ] as const)("%s (%i keys)", async (flow, keyCount) => {
    const dir = mkdtempSync(join(root, `lost-${flow}-`));
    const plan = `lost-${flow}`;
    const journal = join(dir, "journal.jsonl");
    const escrow = join(dir, "escrow");
    const keys: string[] = [];
    for (let i = 0; i < keyCount; i += 1) {
      keys.push(
        await externalKey({
          "keyplane:plan": plan,
          "keyplane:classification": "restricted",
          "keyplane:rotation-days": "90",
          "keyplane:material-validity-days": "365",
        }),
      );
    }
    let args: string[];
    if (flow === "ceremony") args = ceremonyArgs(keys[0] ?? "", journal, escrow);
    else {
      for (const key of keys) {
        const setup = await cli(ceremonyArgs(key, join(dir, "setup.jsonl"), escrow, "365d"));
        expect(setup.code).toBe(0);
      }
      if (flow === "rotation") await world.sandbox.advanceClock("100d");
      args =
        flow === "renew"
          ? [
              "--journal",
              journal,
              "expiry",
              "renew",
              "--key",
              keys[0] ?? "",
              "--escrow-dir",
              escrow,
              "--expires-in",
              "60d",
            ]
          : ["--journal", journal, "rotation", "apply", "--plan", plan, "--escrow-dir", escrow];
    }
    const proxy = await startLossyProxy(world.sandbox.url, firstAnswers());
    try {
      const run = await runCli(args, {
        env: { ...env, AWS_ENDPOINT_URL_KMS: proxy.url },
        timeoutMs: 120_000,
      });
      expect(run.code === 0 ? "exit 0" : `exit ${run.code}: ${run.stderr}`).toBe("exit 0");
      const expectedDrops = flow === "rotation" ? keyCount * 2 : keyCount;
      expect(proxy.dropped).toHaveLength(expectedDrops);
    } finally {
      await proxy.close();
    }
    expect(await convergence(flow, keys, journal, escrow)).toBeUndefined();
  });
});

describe("one writer at a time, orderly interrupts, one escrow folder for every cycle", () => {
  let slow: SandboxHandle;
  let slowEnv: Record<string, string>;
  beforeAll(async () => {
    // Latency keeps a run inside its flow long enough to be interrupted or raced.
    slow = await startSandbox({ latencyMs: 300, extraArgs: ["--wrapping-key-pool", "2"] });
    slowEnv = slow.env();
  });
  afterAll(() => slow?.stop());

  const slowKey = async () => {
    const client = slow.kms();
    const { KeyMetadata } = await client.send(
      new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT" }),
    );
    return KeyMetadata?.Arn ?? "";
  };

  test("SIGINT during the flow: 'interrupted at <step>', an interrupted record, exit 130; the rerun finishes", async () => {
    const dir = mkdtempSync(join(root, "sigint-"));
    const journal = join(dir, "journal.jsonl");
    const args = ceremonyArgs(await slowKey(), journal, join(dir, "escrow"));
    const stopped = await killWhenJournaled(args, slowEnv, journal, "ceremony.escrow", "SIGINT");
    expect(stopped).toMatchObject({ killed: true, code: 130 });
    expect(stopped.stderr).toMatch(/keyplane: interrupted at .+; rerun the same command to finish/);
    const events = readJournal(journal).map((entry) => entry.event);
    expect(events).toContain("ceremony.interrupted");
    expect(existsSync(`${journal}.lock`)).toBe(false);
    const rerun = await runCli(args, { env: slowEnv, timeoutMs: 120_000 });
    expect(withoutJournalAnchor(rerun.stderr)).toBe("");
    expect(rerun.code).toBe(0);
    expect(readJournal(journal).filter((entry) => entry.event === "ceremony.complete")).toHaveLength(1);
    expect(verifyJournal(journal).entries).toBe(events.length + 3);
  });

  test("a second run on the same journal is refused, naming the holder; the first finishes untouched", async () => {
    const dir = mkdtempSync(join(root, "lock-"));
    const journal = join(dir, "journal.jsonl");
    const first = runCli(ceremonyArgs(await slowKey(), journal, join(dir, "escrow-a")), {
      env: slowEnv,
      timeoutMs: 120_000,
    });
    while (!existsSync(`${journal}.lock`)) await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await runCli(ceremonyArgs(await slowKey(), journal, join(dir, "escrow-b")), {
      env: slowEnv,
    });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`keyplane: journal ${journal} is locked by pid \\d+ on .+ \\(keyplane byok ceremony\\)`),
    );
    expect(second.stderr).toContain(`delete ${journal}.lock`);
    expect((await first).code).toBe(0);
    expect(verifyJournal(journal).entries).toBe(5);
  });

  test("the quarterly runbook twice into one escrow folder: each cycle escrows its own material (reliability D2)", async () => {
    const dir = mkdtempSync(join(root, "cycles-"));
    const escrow = join(dir, "escrow");
    const client = slow.kms();
    const { KeyMetadata } = await client.send(
      new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT" }),
    );
    const key = KeyMetadata?.Arn ?? "";
    await client.send(
      new TagResourceCommand({
        KeyId: key,
        Tags: [
          { TagKey: "keyplane:plan", TagValue: "cycles" },
          { TagKey: "keyplane:rotation-days", TagValue: "90" },
          { TagKey: "keyplane:material-validity-days", TagValue: "365" },
        ],
      }),
    );
    expect(
      (await runCli(ceremonyArgs(key, join(dir, "setup.jsonl"), escrow, "365d"), { env: slowEnv })).code,
    ).toBe(0);
    const apply = [
      "--journal",
      join(dir, "rotation.jsonl"),
      "rotation",
      "apply",
      "--plan",
      "cycles",
      "--escrow-dir",
      escrow,
    ];
    for (const cycle of [1, 2]) {
      await slow.advanceClock("100d");
      const run = await runCli(apply, { env: slowEnv, timeoutMs: 120_000 });
      expect(`cycle ${cycle}: ${run.code} ${run.stderr}`).toMatch(new RegExp(`^cycle ${cycle}: 0 `));
    }
    // The ceremony's split and one per rotation, each complete with its manifest.
    expect(listManifests(escrow).map((manifest) => manifest.keyArn)).toEqual([key, key, key]);
    expect(new Set(listManifests(escrow).map((manifest) => manifest.checkValue)).size).toBe(3);
  });
});
