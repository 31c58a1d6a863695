#!/usr/bin/env node
// `keyplane audit` of ACCOUNTS x REGIONS account-Regions with KEYS keys each, under AWS's request quotas.
// A sandbox with a principals file (one audit role per account) is seeded with quotas off (--state), each
// key tagged, aliased, with rotation on; then restarted with `--quotas aws --latency 20` and audited through
// AssumeRole. Reports the wall time beside the busiest account-Region's quota bound (quotas are per account
// and Region: the pairs are read side by side, so the bound is one pair's, not the sum), throttled calls,
// and the CLI's CPU per request, from which the estate size where one process becomes CPU-bound follows.
// Usage: node bench/audit.js [accounts] [regions] [keys]   (default 5 4 500: 20 account-Regions x 500 keys;
// needs `npm run build`)
const { spawn } = require("node:child_process");
const { mkdtempSync, rmSync, writeFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
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
    for (let a = 0; a < ACCOUNTS; a += 1) {
      for (const region of REGIONS) {
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
      }
    }
  } finally {
    await stopSandbox(child);
  }
  return Date.now() - begin;
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
    try {
      const env = {
        ...sandboxEnv(url),
        AWS_ACCESS_KEY_ID: CALLER.accessKeyId,
        AWS_SECRET_ACCESS_KEY: "bench",
      };
      const args = ["--output", "json", "audit", "--accounts", accountsFile, "--role-name", "BenchAudit"];
      run = await timedCli([...args, "--regions", REGIONS.join(",")], env);
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
    const pairRate = requests / pairs / bound.seconds;
    const cpuBoundPairs = 1000 / cpuPerRequest / pairRate;
    console.log(
      `keyplane audit, ${pairs} account-Regions x ${KEYS} keys, --quotas aws --latency 20 (${machine()})`,
    );
    console.log(
      `  calls: ${JSON.stringify(stats.requests)}; findings ${report.findings.length}; throttled ${throttled}`,
    );
    console.log(
      `  wall ${wall.toFixed(1)} s; busiest pair's quota bound ${bound.seconds.toFixed(1)} s (${bound.calls} ${bound.quota} at ${bound.rate}/s); ratio ${(wall / bound.seconds).toFixed(2)}`,
    );
    console.log(
      `  CLI CPU ${(run.cpuMs / 1000).toFixed(1)} s for ${requests} requests: ${cpuPerRequest.toFixed(2)} ms each; ` +
        `one pair at its quotas needs ${pairRate.toFixed(0)} requests/s, so one process is CPU-bound from ` +
        `${cpuBoundPairs.toFixed(1)} account-Regions read side by side (two cores, two processes: ${(2 * cpuBoundPairs).toFixed(1)})`,
    );
    console.log(`  CLI peak memory (max RSS) ${run.rssMiB.toFixed(0)} MiB`);
    record("audit", [
      {
        figure: `audit, ${pairs} account-Regions x ${KEYS} keys`,
        value: Number(wall.toFixed(2)),
        unit: "s",
        limit: Number(bound.seconds.toFixed(2)),
        limitLabel: `busiest pair's quota bound: ${bound.calls} ${bound.quota} at ${bound.rate}/s`,
        target: "<= 1.2x the bound",
      },
      { figure: "audit throttled calls", value: throttled, unit: "calls", target: "0" },
      { figure: "audit CLI CPU per request", value: Number(cpuPerRequest.toFixed(2)), unit: "ms" },
      {
        figure: `audit CLI peak memory, ${pairs * KEYS} keys`,
        value: Number(run.rssMiB.toFixed(0)),
        unit: "MiB",
      },
      {
        figure: "account-Regions one process reads at their quotas",
        value: Number(cpuBoundPairs.toFixed(1)),
        unit: "pairs",
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
