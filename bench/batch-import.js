#!/usr/bin/env node
// Batch import under AWS's request quotas: KEYS imported symmetric keys (tagged for 90-day rotation, seeded
// with material, quotas off, --state) on a sandbox restarted 100 days later with `--quotas aws --latency 20`;
// `keyplane rotation apply` then escrows, imports (GetParametersForImport + ImportKeyMaterial) and rotates
// (RotateKeyOnDemand) new material for every key. Reports the wall time beside the bound the quotas put on
// those calls, and throttled calls. Target: within 1.2x of the bound, zero failures.
// The sandbox reuses 4 wrapping key pairs (--wrapping-key-pool 4): AWS makes a fresh RSA-4096 pair per
// call on its HSMs, which takes this machine 1.4 s of CPU per pair and would measure the sandbox instead.
// Usage: node bench/batch-import.js [keys]   (needs `npm run build`)
const { mkdtempSync, readFileSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const {
  CreateAliasCommand,
  CreateKeyCommand,
  GetParametersForImportCommand,
  KMSClient,
} = require("@aws-sdk/client-kms");
const {
  BENCH_CREDENTIALS,
  importRandomMaterial,
  machine,
  pool,
  quotaBound,
  record,
  runCli,
  sandboxEnv,
  sandboxStats,
  startSandbox,
  stopSandbox,
} = require("./lib");

const KEYS = Number(process.argv[2] ?? 200);

async function seed(stateFile) {
  const { child, url } = await startSandbox(["--state", stateFile, "--wrapping-key-pool", "4"]);
  const kms = new KMSClient({ endpoint: url, region: "us-east-1", credentials: BENCH_CREDENTIALS });
  try {
    await pool([...Array(KEYS).keys()], 20, async (i) => {
      const { KeyMetadata } = await kms.send(
        new CreateKeyCommand({
          Origin: "EXTERNAL",
          Tags: [
            { TagKey: "keyplane:plan", TagValue: "batch" },
            { TagKey: "keyplane:classification", TagValue: "restricted" },
            { TagKey: "keyplane:rotation-days", TagValue: "90" },
            { TagKey: "keyplane:material-validity-days", TagValue: "365" },
          ],
        }),
      );
      await kms.send(
        new CreateAliasCommand({ AliasName: `alias/batch/key-${i}`, TargetKeyId: KeyMetadata.KeyId }),
      );
      await importRandomMaterial(kms, KeyMetadata.KeyId);
    });
  } finally {
    kms.destroy();
    await stopSandbox(child);
  }
}

/** Counts of `after` minus those of `before`, per operation. */
function difference(after, before) {
  const minus = (a, b) =>
    Object.fromEntries(
      Object.entries(a).map(([operation, count]) => [operation, count - (b[operation] ?? 0)]),
    );
  return {
    requests: minus(after.requests, before.requests),
    throttled: minus(after.throttled, before.throttled),
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "keyplane-bench-batch-"));
  const stateFile = join(dir, "state.json");
  const journal = join(dir, "rotation.jsonl");
  try {
    await seed(stateFile);
    const { child, url } = await startSandbox([
      "--state",
      stateFile,
      "--quotas",
      "aws",
      "--latency",
      "20",
      "--clock-offset",
      "100d",
      "--wrapping-key-pool",
      "4",
    ]);
    let run;
    let stats;
    try {
      // Fill the sandbox's wrapping key pool first (4 RSA-4096 pairs take seconds here), then let the
      // import quota's bucket refill: the run below starts on a warm sandbox, as AWS always is.
      const kms = new KMSClient({ endpoint: url, region: "us-east-1", credentials: BENCH_CREDENTIALS });
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
      // One at a time: GetParametersForImport's quota is 1 request per second.
      for (let pair = 0; pair < 4; pair += 1) {
        await kms.send(
          new GetParametersForImportCommand({
            KeyId: KeyMetadata.KeyId,
            WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256",
            WrappingKeySpec: "RSA_4096",
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 1100));
      }
      kms.destroy();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const before = await sandboxStats(url);
      run = await runCli(
        [
          "--output",
          "json",
          "--journal",
          journal,
          "rotation",
          "apply",
          "--plan",
          "batch",
          "--escrow-dir",
          join(dir, "escrow"),
        ],
        sandboxEnv(url),
      );
      stats = difference(await sandboxStats(url), before);
    } finally {
      await stopSandbox(child);
    }
    if (run.code !== 0) throw new Error(`keyplane rotation apply exited ${run.code}: ${run.stderr}`);
    const records = readFileSync(journal, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    const imports = records.filter((entry) => entry.event === "rotation.import").length;
    // Where the wall time went, from the journal's own timestamps.
    const at = (event, pick) => Date.parse(pick(records.filter((entry) => entry.event === event)).time);
    const firstEscrow = at("rotation.escrow", (list) => list[0]);
    const firstImport = at("rotation.import", (list) => list[0]);
    const lastImport = at("rotation.import", (list) => list.at(-1));
    const lastRotate = at("rotation.rotate", (list) => list.at(-1));
    const phases = {
      "start and read keys (to first escrow)": firstEscrow - run.startedAt,
      "first escrow to first import": firstImport - firstEscrow,
      "imports (first to last)": lastImport - firstImport,
      "last import to last rotation": lastRotate - lastImport,
      "last rotation to exit": run.startedAt + run.ms - lastRotate,
    };
    const throttled = Object.values(stats.throttled).reduce((a, b) => a + b, 0);
    // The bound counts the calls the work needs: a throttled call that was retried is not work.
    const served = (operation) => (stats.requests[operation] ?? 0) - (stats.throttled[operation] ?? 0);
    const importCalls = {
      GetParametersForImport: served("GetParametersForImport"),
      ImportKeyMaterial: served("ImportKeyMaterial"),
    };
    const bound = quotaBound(importCalls);
    const wall = run.ms / 1000;
    console.log(
      `keyplane rotation apply over ${KEYS} imported keys, sandbox --quotas aws --latency 20 (${machine()})`,
    );
    console.log(`  calls: ${JSON.stringify(stats.requests)}`);
    console.log(`  imports journaled: ${imports}, throttled calls: ${throttled}`);
    for (const [phase, ms] of Object.entries(phases))
      console.log(`  ${phase.padEnd(40)} ${(ms / 1000).toFixed(2)} s`);
    console.log(
      `  wall ${wall.toFixed(1)} s; quota bound ${bound.seconds.toFixed(1)} s (${bound.calls} ${bound.quota} at ${bound.rate}/s); ratio ${(wall / bound.seconds).toFixed(2)}`,
    );
    record("batch-import", [
      {
        figure: `batch import (rotation apply), ${KEYS} keys`,
        value: Number(wall.toFixed(2)),
        unit: "s",
        limit: Number(bound.seconds.toFixed(2)),
        limitLabel: `quota bound: ${bound.calls} ${bound.quota} at ${bound.rate}/s`,
        target: "<= 1.2x the bound",
      },
      { figure: "batch import throttled calls", value: throttled, unit: "calls", target: "0" },
      { figure: "batch import failures", value: KEYS - imports, unit: "keys", target: "0" },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
