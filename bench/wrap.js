#!/usr/bin/env node
// Bulk wrapping speed: keyplane wraps/s per wrapping algorithm x wrapping key size, beside OpenSSL's own
// RSA public-key operations per second (`openssl speed -seconds 2 rsa2048 rsa3072 rsa4096`, measured in the
// same run on the same machine, just before keyplane's cases of that size). A wrap is one RSA public operation plus OAEP (and AES key wrap), so OpenSSL's
// raw public ops are the ceiling. Target: RSA-4096 wraps >= 90% of OpenSSL's public ops.
// Usage: node bench/wrap.js [seconds per case]   (needs `npm run build`)
const { spawnSync } = require("node:child_process");
const { generateKeyPairSync } = require("node:crypto");
const { join } = require("node:path");
const { record } = require("./lib");

const dist = join(__dirname, "..", "dist", "byok");
const { parseWrappingPublicKey, wrapForImport } = require(join(dist, "wrap", "index.js"));
const { generateMaterial } = require(join(dist, "material", "generate.js"));

const seconds = Number(process.argv[2] ?? 2);
const SIZES = [2048, 3072, 4096];
const ALGORITHMS = [
  "RSAES_OAEP_SHA_1",
  "RSAES_OAEP_SHA_256",
  "RSA_AES_KEY_WRAP_SHA_1",
  "RSA_AES_KEY_WRAP_SHA_256",
];

/** OpenSSL's RSA public-key operations per second for one modulus size, or undefined without openssl. */
function opensslPublicOps(bits) {
  const run = spawnSync("openssl", ["speed", "-seconds", "2", `rsa${bits}`], { encoding: "utf8" });
  if (run.status !== 0) return undefined;
  // "rsa 2048 bits 0.000618s 0.000018s   1618.9  54810.2": the last column is public (verify) ops per second.
  const match = /^rsa\s+\d+ bits\s+\S+\s+\S+\s+[\d.]+\s+([\d.]+)/m.exec(run.stdout);
  return match ? Number(match[1]) : undefined;
}

function wrapsPerSecond(publicKey, algorithm, material) {
  for (let i = 0; i < 200; i++) wrapForImport({ material, publicKey, algorithm });
  let count = 0;
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 50; i++) wrapForImport({ material, publicKey, algorithm });
    count += 50;
  }
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

const material = generateMaterial("SYMMETRIC_DEFAULT");
console.log(`wrap (SYMMETRIC_DEFAULT material, ${seconds} s per case, node ${process.version}, one core)`);
const figures = [];
const rows = [];
for (const bits of SIZES) {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  const parsed = parseWrappingPublicKey(publicKey.export({ type: "spki", format: "der" }));
  // Measured right before keyplane's cases of the same size, so both see the same machine load.
  const ceiling = opensslPublicOps(bits);
  for (const algorithm of ALGORITHMS) {
    const rate = wrapsPerSecond(parsed, algorithm, material);
    rows.push([`RSA_${bits}`, algorithm, rate, ceiling]);
    figures.push({
      figure: `wraps/s ${algorithm} RSA_${bits}`,
      value: Math.round(rate),
      unit: "wraps/s",
      ...(ceiling ? { limit: Math.round(ceiling), limitLabel: `openssl speed rsa${bits} public ops/s` } : {}),
      ...(bits === 4096 ? { target: ">= 90% of openssl public ops/s" } : {}),
    });
  }
}
material.dispose();
const pad = (text, width) => String(text).padEnd(width);
console.log(
  `${pad("wrapping key", 13)}${pad("algorithm", 26)}${pad("keyplane/s", 12)}${pad("openssl public/s", 18)}ratio`,
);
for (const [spec, algorithm, rate, ceiling] of rows) {
  console.log(
    `${pad(spec, 13)}${pad(algorithm, 26)}${pad(Math.round(rate), 12)}${pad(ceiling ? Math.round(ceiling) : "n/a", 18)}${
      ceiling ? `${((rate / ceiling) * 100).toFixed(0)}%` : "openssl missing"
    }`,
  );
}
record("wrap", figures);
