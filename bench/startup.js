#!/usr/bin/env node
// Cold start of the compiled CLI minus the cost of starting node itself (median of N runs each).
// Usage: node bench/startup.js [runs]   (needs `npm run build`)
const { spawnSync } = require("node:child_process");
const { join } = require("node:path");

const runs = Number(process.argv[2] ?? 15);
const bin = join(__dirname, "..", "dist", "cli", "bin.js");

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function time(args) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: "ignore" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0 && !args.includes("nope"))
      throw new Error(`${args.join(" ")} exited ${result.status}`);
    samples.push(ms);
  }
  return median(samples);
}

const baseline = time(["-e", "0"]);
const cases = [
  ["keyplane --help", [bin, "--help"]],
  ["keyplane expiry --help", [bin, "expiry", "--help"]],
];
console.log(`startup (median of ${runs}, node ${process.version}): node -e 0 = ${baseline.toFixed(1)} ms`);
for (const [name, args] of cases) {
  const ms = time(args);
  console.log(
    `${name.padEnd(26)} ${ms.toFixed(1).padStart(7)} ms   over node: ${(ms - baseline).toFixed(1).padStart(6)} ms`,
  );
}
