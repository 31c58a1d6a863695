// Shared helpers for bench scripts: every script prints its figures for people and records them in
// bench/out/<name>.json so `npm run bench` can put them side by side with their limits.
const { spawn } = require("node:child_process");
const { mkdirSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const os = require("node:os");

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The machine, as the README's Performance section names it. */
function machine() {
  const cpu = os.cpus()[0]?.model?.replace(/\s+/g, " ").trim() ?? "unknown CPU";
  return `${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
}

/**
 * Records figures: each { figure, value, unit, limit?, limitLabel?, target? } where `limit` is the bound the
 * figure is compared with (ratio = value / limit) and `target` a human sentence.
 */
function record(name, figures) {
  const dir = join(__dirname, "out");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${name}.json`),
    JSON.stringify({ name, machine: machine(), time: new Date().toISOString(), figures }, null, 2),
  );
}

const BIN = join(__dirname, "..", "dist", "cli", "bin.js");

/** Starts `keyplane sandbox --port 0 ...extra`; resolves once it listens, with the start-up time. */
function startSandbox(extra = []) {
  const begin = process.hrtime.bigint();
  const child = spawn(process.execPath, [BIN, "sandbox", "--port", "0", ...extra], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.on("exit", (code) => reject(new Error(`sandbox exited ${code}`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, url: match[1], ms: Number(process.hrtime.bigint() - begin) / 1e6 });
    });
  });
}

function stopSandbox(child) {
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });
}

/** Requests and throttles per operation since the sandbox started (GET /_sandbox/stats). */
async function sandboxStats(url) {
  return (await fetch(`${url}/_sandbox/stats`)).json();
}

/**
 * Seeds imported material the way a script would, without keyplane: fresh random bytes wrapped with
 * RSAES_OAEP_SHA_256 under an RSA_2048 wrapping key, expiring at `validTo` (or never).
 */
async function importRandomMaterial(kms, keyId, validTo) {
  const { constants, createPublicKey, publicEncrypt, randomBytes } = require("node:crypto");
  const { GetParametersForImportCommand, ImportKeyMaterialCommand } = require("@aws-sdk/client-kms");
  const parameters = await kms.send(
    new GetParametersForImportCommand({
      KeyId: keyId,
      WrappingAlgorithm: "RSAES_OAEP_SHA_256",
      WrappingKeySpec: "RSA_2048",
    }),
  );
  const material = randomBytes(32);
  const key = createPublicKey({ key: Buffer.from(parameters.PublicKey), format: "der", type: "spki" });
  const wrapped = publicEncrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
    material,
  );
  material.fill(0);
  await kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: parameters.ImportToken,
      EncryptedKeyMaterial: wrapped,
      ...(validTo
        ? { ExpirationModel: "KEY_MATERIAL_EXPIRES", ValidTo: validTo }
        : { ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }),
    }),
  );
}

const BENCH_CREDENTIALS = { accessKeyId: "AKIABENCH", secretAccessKey: "bench" };

/** Environment for running the CLI against a sandbox. */
function sandboxEnv(url, region = "us-east-1") {
  return {
    ...process.env,
    AWS_ENDPOINT_URL_KMS: url,
    AWS_ENDPOINT_URL_STS: url,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: BENCH_CREDENTIALS.secretAccessKey,
    NO_COLOR: "1",
  };
}

/** Runs `keyplane ...args`; resolves with exit code, output and wall time. */
function runCli(args, env) {
  const begin = process.hrtime.bigint();
  const startedAt = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => {
    child.on("exit", (code) =>
      resolve({ code, stdout, stderr, startedAt, ms: Number(process.hrtime.bigint() - begin) / 1e6 }),
    );
  });
}

/** Maps `items` through `task` with at most `inFlight` running at once. */
async function pool(items, inFlight, task) {
  let next = 0;
  const results = new Array(items.length);
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, worker));
  return results;
}

/**
 * The lower bound KMS's quotas put on a run: per quota, calls / rate; quotas are independent, so the
 * bound is the largest. `calls` is the sandbox's request count per operation.
 */
function quotaBound(calls, region = "us-east-1") {
  const { quotaOf } = require(join(__dirname, "..", "dist", "byok", "vocabulary", "kms-quotas.js"));
  const perQuota = new Map();
  for (const [operation, count] of Object.entries(calls)) {
    const { quota, rate } = quotaOf(operation, region);
    if (rate === undefined) continue;
    const entry = perQuota.get(quota) ?? { calls: 0, rate };
    entry.calls += count;
    perQuota.set(quota, entry);
  }
  let bound = { quota: "none", calls: 0, rate: 0, seconds: 0 };
  for (const [quota, { calls: n, rate }] of perQuota) {
    if (n / rate > bound.seconds) bound = { quota, calls: n, rate, seconds: n / rate };
  }
  return bound;
}

module.exports = {
  median,
  machine,
  record,
  startSandbox,
  stopSandbox,
  sandboxStats,
  sandboxEnv,
  runCli,
  pool,
  quotaBound,
  importRandomMaterial,
  BENCH_CREDENTIALS,
};
