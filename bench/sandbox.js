#!/usr/bin/env node
// The sandbox: time from spawn to "listening" (median of N), then request rates over real HTTP with the AWS
// SDK (CreateKey, Encrypt, DescribeKey; 20 requests in flight), with and without --state.
// Usage: node bench/sandbox.js [startRuns] [requests]   (needs `npm run build`)
const { mkdtempSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { CreateKeyCommand, DescribeKeyCommand, EncryptCommand, KMSClient } = require("@aws-sdk/client-kms");
const { median, record, startSandbox: start, stopSandbox: stop, BENCH_CREDENTIALS } = require("./lib");

const startRuns = Number(process.argv[2] ?? 7);
const requests = Number(process.argv[3] ?? 2000);
const IN_FLIGHT = 20;

async function rate(count, send) {
  let next = 0;
  const begin = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      next += 1;
      await send();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return count / (Number(process.hrtime.bigint() - begin) / 1e9);
}

async function rates(extra, label) {
  const { child, url } = await start(extra);
  const kms = new KMSClient({
    endpoint: url,
    region: "us-east-1",
    credentials: BENCH_CREDENTIALS,
  });
  try {
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata.KeyId;
    const plaintext = Buffer.alloc(64, 1);
    const figures = {
      CreateKey: await rate(Math.min(requests, 500), () => kms.send(new CreateKeyCommand({}))),
      Encrypt: await rate(requests, () =>
        kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext })),
      ),
      DescribeKey: await rate(requests, () => kms.send(new DescribeKeyCommand({ KeyId: keyId }))),
    };
    for (const [operation, value] of Object.entries(figures)) {
      console.log(`${`${operation} ${label}`.padEnd(30)} ${value.toFixed(0).padStart(7)} requests/s`);
    }
    return Object.entries(figures).map(([operation, value]) => ({
      figure: `sandbox ${operation} ${label}`,
      value,
      unit: "requests/s",
    }));
  } finally {
    kms.destroy();
    await stop(child);
  }
}

async function main() {
  const starts = [];
  for (let i = 0; i < startRuns; i += 1) {
    const { child, ms } = await start();
    starts.push(ms);
    await stop(child);
  }
  const startMs = median(starts);
  console.log(
    `sandbox start to "listening" (median of ${startRuns}): ${startMs.toFixed(0)} ms (target < 500 ms)`,
  );
  const dir = mkdtempSync(join(tmpdir(), "keyplane-bench-"));
  try {
    const figures = [
      {
        figure: "sandbox start to listening",
        value: startMs,
        unit: "ms",
        limit: 500,
        limitLabel: "target",
        target: "< 500 ms",
      },
      ...(await rates([], "in memory")),
      ...(await rates(["--state", join(dir, "state.json")], "with --state")),
    ];
    record("sandbox", figures);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
