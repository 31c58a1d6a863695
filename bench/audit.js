#!/usr/bin/env node
// `keyplane audit` of ACCOUNTS x REGIONS account-Regions with KEYS keys each, under AWS's request quotas.
// A sandbox with a principals file (one audit role per account) is seeded with quotas off (--state), each
// key tagged, aliased, with rotation on; then restarted with `--quotas aws --latency 20` and audited through
// AssumeRole. Reports the wall time beside the busiest account-Region's quota bound (quotas are per account
// and Region: the pairs are read side by side, so the bound is one pair's, not the sum), throttled calls,
// the CLI's and the sandbox's CPU per request (the sandbox runs on the same cores), from which the estate
// size where a 2-core machine becomes CPU-bound follows, and the CLI's peak memory.
// Usage: node bench/audit.js [accounts] [regions] [keys] [workers]   (default 5 4 500 and the available
// cores: 20 account-Regions x 500 keys; needs `npm run build`)
const { spawn } = require("node:child_process");
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require("node:fs");
const { availableParallelism, tmpdir } = require("node:os");
const { join } = require("node:path");
const {
  CreateAliasCommand,
  CreateKeyCommand,
  EnableKeyRotationCommand,
  KMSClient,
} = require("@aws-sdk/client-kms");
const {
  machine,
  pool,
  quotaBound,
  record,
  sandboxEnv,
  sandboxStats,
  startSandbox,
  stopSandbox,
} = require("./lib");

const ACCOUNTS = Number(process.argv[2] ?? 5);
const REGIONS = ["us-east-1", "eu-west-1", "ap-south-1", "us-west-2", "eu-central-1", "ap-northeast-1"].slice(
  0,
  Number(process.argv[3] ?? 4),
);
const KEYS = Number(process.argv[4] ?? 500);
const WORKERS = Number(process.argv[5] ?? availableParallelism());
/** The cores the estimate is for (this project's machine has 2). */
const CORES = 2;
const BIN = join(__dirname, "..", "dist", "cli", "bin.js");
const CALLER = { arn: "arn:aws:iam::100000000000:user/auditor", accessKeyId: "AKIABENCHAUDITOR0001" };
const account = (i) => String(100000000001 + i);
const roleKey = (i) => `AKIABENCHROLE${String(i).padStart(7, "0")}`;

function principalsYaml() {
  const entries = [
    CALLER,
    ...[...Array(ACCOUNTS).keys()].map((i) => ({
      arn: `arn:aws:iam::${account(i)}:role/BenchAudit`,
      accessKeyId: roleKey(i),
    })),
  ];
  return `principals:\n${entries
    .map((p) => `  - arn: ${p.arn}\n    accessKeyId: ${p.accessKeyId}\n    secretAccessKey: bench\n`)
    .join("")}`;
}

async function seed(stateFile, principalsFile) {
  const { child, url } = await startSandbox(["--state", stateFile, "--principals", principalsFile]);
  const begin = Date.now();
  try {
    // Every pair at once: the sandbox writes its whole state once per batch of changes (group commit), so
    // many changes in flight make few, large writes instead of a write per handful of keys.
    const pairs = [...Array(ACCOUNTS).keys()].flatMap((a) => REGIONS.map((region) => ({ a, region })));
    await Promise.all(
      pairs.map(async ({ a, region }) => {
        const kms = new KMSClient({
          endpoint: url,
          region,
          credentials: { accessKeyId: roleKey(a), secretAccessKey: "bench" },
        });
        await pool([...Array(KEYS).keys()], 20, async (i) => {
          const { KeyMetadata } = await kms.send(
            new CreateKeyCommand({
              Tags: [
                { TagKey: "keyplane:classification", TagValue: i % 10 === 0 ? "restricted" : "internal" },
                { TagKey: "keyplane:application", TagValue: `app-${i % 7}` },
                { TagKey: "keyplane:service", TagValue: "sqs" },
              ],
            }),
          );
          await kms.send(
            new CreateAliasCommand({ AliasName: `alias/bench/key-${i}`, TargetKeyId: KeyMetadata.KeyId }),
          );
          if (i % 5 !== 0) await kms.send(new EnableKeyRotationCommand({ KeyId: KeyMetadata.KeyId }));
        });
        kms.destroy();
      }),
    );
  } finally {
    await stopSandbox(child);
  }
  return Date.now() - begin;
}

/** CPU milliseconds (user + system) a process has used so far, from /proc (Linux). */
function processCpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  // Fields 14 and 15 of stat (utime, stime) in clock ticks of 1/100 s (USER_HZ on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Runs the CLI under GNU time, for its CPU seconds (user + sys) and peak memory beside the wall time. */
function timedCli(args, env) {
  const begin = Date.now();
  const child = spawn("/usr/bin/time", ["-f", "cpu %U %S rss %M", process.execPath, BIN, ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on("error", (error) =>
      reject(new Error(`bench/audit.js needs GNU time at /usr/bin/time: ${error.message}`)),
    );
    child.on("exit", (code) => {
      const usage = /cpu ([\d.]+) ([\d.]+) rss (\d+)\s*$/.exec(stderr);
      resolve({
        code,
        stdout,
        stderr,
        wallMs: Date.now() - begin,
        cpuMs: usage ? (Number(usage[1]) + Number(usage[2])) * 1000 : Number.NaN,
        rssMiB: usage ? Number(usage[3]) / 1024 : Number.NaN,
      });
    });
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "keyplane-bench-audit-"));
  const stateFile = join(dir, "state.json");
  const principalsFile = join(dir, "principals.yaml");
  const accountsFile = join(dir, "accounts.json");
  writeFileSync(principalsFile, principalsYaml());
  writeFileSync(accountsFile, JSON.stringify([...Array(ACCOUNTS).keys()].map(account)));
  const pairs = ACCOUNTS * REGIONS.length;
  try {
    const seedMs = await seed(stateFile, principalsFile);
    console.log(
      `seeded ${pairs} account-Regions x ${KEYS} keys in ${(seedMs / 1000).toFixed(1)} s, quotas off`,
    );
    const { child, url } = await startSandbox([
      "--state",
      stateFile,
      "--principals",
      principalsFile,
      "--quotas",
      "aws",
      "--latency",
      "20",
    ]);
    let run;
    let stats;
    let sandboxCpuMs;
    try {
      const env = {
        ...sandboxEnv(url),
        AWS_ACCESS_KEY_ID: CALLER.accessKeyId,
        AWS_SECRET_ACCESS_KEY: "bench",
      };
      const args = ["--output", "json", "audit", "--accounts", accountsFile, "--role-name", "BenchAudit"];
      const sandboxCpuBefore = processCpuMs(child.pid);
      run = await timedCli([...args, "--regions", REGIONS.join(","), "--workers", String(WORKERS)], env);
      sandboxCpuMs = processCpuMs(child.pid) - sandboxCpuBefore;
      stats = await sandboxStats(url);
    } finally {
      await stopSandbox(child);
    }
    if (run.code !== 0) throw new Error(`keyplane audit exited ${run.code}: ${run.stderr}`);
    const report = JSON.parse(run.stdout);
    if (report.errors.length > 0) throw new Error(`audit errors: ${JSON.stringify(report.errors)}`);
    const requests = Object.values(stats.requests).reduce((a, b) => a + b, 0);
    const throttled = Object.values(stats.throttled).reduce((a, b) => a + b, 0);
    // Every pair holds the same keys, so the busiest pair made 1/pairs of each operation's calls.
    const perPair = Object.fromEntries(Object.entries(stats.requests).map(([op, n]) => [op, n / pairs]));
    const bound = quotaBound(perPair);
    const wall = run.wallMs / 1000;
    const cpuPerRequest = run.cpuMs / requests;
    const sandboxCpuPerRequest = sandboxCpuMs / requests;
    const pairRate = requests / pairs / bound.seconds;
    // A 2-core machine is CPU-bound once the pairs read side by side need more than its cores at their quotas.
    const cpuBoundPairs = (CORES * 1000) / cpuPerRequest / pairRate;
    const cpuBoundPairsWithSandbox = (CORES * 1000) / (cpuPerRequest + sandboxCpuPerRequest) / pairRate;
    console.log(
      `keyplane audit --workers ${WORKERS}, ${pairs} account-Regions x ${KEYS} keys, --quotas aws --latency 20 (${machine()})`,
    );
    console.log(
      `  calls: ${JSON.stringify(stats.requests)}; findings ${report.findings.length}; throttled ${throttled}`,
    );
    console.log(
      `  wall ${wall.toFixed(1)} s; busiest pair's quota bound ${bound.seconds.toFixed(1)} s (${bound.calls} ${bound.quota} at ${bound.rate}/s); ratio ${(wall / bound.seconds).toFixed(2)}`,
    );
    console.log(
      `  CLI CPU ${(run.cpuMs / 1000).toFixed(1)} s for ${requests} requests: ${cpuPerRequest.toFixed(2)} ms each ` +
        `(${((100 * run.cpuMs) / run.wallMs).toFixed(0)} % of a core over the run); sandbox CPU ${(sandboxCpuMs / 1000).toFixed(1)} s: ` +
        `${sandboxCpuPerRequest.toFixed(2)} ms each (${((100 * sandboxCpuMs) / run.wallMs).toFixed(0)} % of a core)`,
    );
    console.log(
      `  one pair at its quotas needs ${pairRate.toFixed(1)} requests/s: ${CORES} cores are CPU-bound from ` +
        `${cpuBoundPairs.toFixed(0)} account-Regions read side by side (CLI alone, against AWS), ` +
        `${cpuBoundPairsWithSandbox.toFixed(0)} with this sandbox on the same cores`,
    );
    console.log(`  CLI peak memory (max RSS) ${run.rssMiB.toFixed(0)} MiB`);
    record("audit", [
      {
        figure: `audit --workers ${WORKERS}, ${pairs} account-Regions x ${KEYS} keys`,
        value: Number(wall.toFixed(2)),
        unit: "s",
        limit: Number(bound.seconds.toFixed(2)),
        limitLabel: `busiest pair's quota bound: ${bound.calls} ${bound.quota} at ${bound.rate}/s`,
        target: "<= 1.2x the bound",
      },
      { figure: "audit throttled calls", value: throttled, unit: "calls", target: "0" },
      { figure: "audit CLI CPU per request", value: Number(cpuPerRequest.toFixed(2)), unit: "ms" },
      { figure: "audit sandbox CPU per request", value: Number(sandboxCpuPerRequest.toFixed(2)), unit: "ms" },
      {
        figure: `audit CLI peak memory, ${pairs * KEYS} keys`,
        value: Number(run.rssMiB.toFixed(0)),
        unit: "MiB",
      },
      {
        figure: `account-Regions ${CORES} cores read at their quotas (CLI alone / with the sandbox)`,
        value: Number(cpuBoundPairs.toFixed(0)),
        unit: `pairs (${cpuBoundPairsWithSandbox.toFixed(0)} with the sandbox)`,
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
