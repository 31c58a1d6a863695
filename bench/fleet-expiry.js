#!/usr/bin/env node
// Fleet expiry scan under AWS's request quotas: a sandbox seeded (quotas off, --state) with KEYS keys, half
// of them EXTERNAL (symmetric, HMAC and RSA; some with imported material), every key tagged and aliased;
// then restarted from its state with `--quotas aws --latency 20`, and `keyplane expiry` run over it.
// Reports the wall time beside the lower bound the quotas put on the calls it made (the sandbox counts
// them), and throttled calls. Target: within 1.2x of the bound, zero failures.
// With FAULTS (a sandbox --faults spec, e.g. throttle:0.1,5xx:0.02,reset:0.01) the scan also runs with injected
// failures: how much slower it gets when KMS throttles for reasons keyplane's pacing cannot see.
// Usage: node bench/fleet-expiry.js [keys] [faults]   (needs `npm run build`)
const { mkdtempSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { CreateAliasCommand, CreateKeyCommand, KMSClient } = require("@aws-sdk/client-kms");
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

const KEYS = Number(process.argv[2] ?? 2000);
const FAULTS = process.argv[3];
const DAY = 86_400_000;

/** The external keys' specs: mostly symmetric (one ListKeyRotations each), some HMAC and RSA. */
function externalSpec(i) {
  if (i % 20 === 0) return { KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" };
  if (i % 20 === 1) return { KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" };
  return { KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT" };
}

async function seed(stateFile) {
  const { child, url } = await startSandbox(["--state", stateFile, "--wrapping-key-pool", "4"]);
  const kms = new KMSClient({ endpoint: url, region: "us-east-1", credentials: BENCH_CREDENTIALS });
  const begin = Date.now();
  try {
    await pool([...Array(KEYS).keys()], 20, async (i) => {
      const external = i % 2 === 1;
      const n = Math.floor(i / 2);
      const tags = [
        { TagKey: "keyplane:plan", TagValue: "fleet" },
        { TagKey: "keyplane:classification", TagValue: external ? "restricted" : "internal" },
        { TagKey: "keyplane:rotation-days", TagValue: external ? "90" : "365" },
      ];
      if (external) tags.push({ TagKey: "keyplane:material-validity-days", TagValue: "180" });
      const { KeyMetadata } = await kms.send(
        new CreateKeyCommand({ Tags: tags, ...(external ? { Origin: "EXTERNAL", ...externalSpec(n) } : {}) }),
      );
      await kms.send(
        new CreateAliasCommand({ AliasName: `alias/fleet/key-${i}`, TargetKeyId: KeyMetadata.KeyId }),
      );
      // A quarter of the symmetric external keys get material, expiring 5 to 200 days from now.
      if (external && externalSpec(n).KeySpec === "SYMMETRIC_DEFAULT" && n % 4 === 2) {
        await importRandomMaterial(kms, KeyMetadata.KeyId, new Date(Date.now() + (5 + (n % 196)) * DAY));
      }
    });
  } finally {
    kms.destroy();
    await stopSandbox(child);
  }
  return Date.now() - begin;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "keyplane-bench-fleet-"));
  const stateFile = join(dir, "state.json");
  try {
    const seedMs = await seed(stateFile);
    console.log(`seeded ${KEYS} keys (${KEYS / 2} EXTERNAL) in ${(seedMs / 1000).toFixed(1)} s, quotas off`);
    const { child, url } = await startSandbox([
      "--state",
      stateFile,
      "--quotas",
      "aws",
      "--latency",
      "20",
      ...(FAULTS ? ["--faults", FAULTS] : []),
    ]);
    let scan;
    let stats;
    try {
      scan = await runCli(["--output", "json", "expiry", "--within", "30d"], sandboxEnv(url));
      stats = await sandboxStats(url);
    } finally {
      await stopSandbox(child);
    }
    if (scan.code !== 0 && scan.code !== 3)
      throw new Error(`keyplane expiry exited ${scan.code}: ${scan.stderr}`);
    const report = JSON.parse(scan.stdout);
    const throttled = Object.values(stats.throttled).reduce((a, b) => a + b, 0);
    const bound = quotaBound(stats.requests);
    const wall = scan.ms / 1000;
    console.log(
      `keyplane expiry over ${KEYS} keys, sandbox --quotas aws --latency 20${FAULTS ? ` --faults ${FAULTS}` : ""} (${machine()})`,
    );
    console.log(`  calls: ${JSON.stringify(stats.requests)}`);
    console.log(
      `  materials reported: ${report.materials.length}, exit ${scan.code}, throttled calls: ${throttled}`,
    );
    console.log(
      `  wall ${wall.toFixed(1)} s; quota bound ${bound.seconds.toFixed(1)} s (${bound.calls} ${bound.quota} at ${bound.rate}/s); ratio ${(wall / bound.seconds).toFixed(2)}`,
    );
    record("fleet-expiry", [
      {
        figure: `expiry scan, ${KEYS} keys (${KEYS / 2} external)`,
        value: Number(wall.toFixed(2)),
        unit: "s",
        limit: Number(bound.seconds.toFixed(2)),
        limitLabel: `quota bound: ${bound.calls} ${bound.quota} at ${bound.rate}/s`,
        target: "<= 1.2x the bound",
      },
      { figure: "expiry scan throttled calls", value: throttled, unit: "calls", target: "0" },
      {
        figure: "expiry scan failures",
        value: scan.code === 3 || scan.code === 0 ? 0 : 1,
        unit: "runs",
        target: "0",
      },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
