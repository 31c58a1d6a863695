#!/usr/bin/env node
// Cold start of the compiled CLI minus the cost of starting node itself (median of N runs each).
// Usage: node bench/startup.js [runs]   (needs `npm run build`)
const { spawnSync } = require("node:child_process");
const { join } = require("node:path");
const { median, record } = require("./lib");

const runs = Number(process.argv[2] ?? 15);
const bin = join(__dirname, "..", "dist", "cli", "bin.js");

function time(args) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: "ignore" });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}`);
  }
  return median(samples);
}

const baseline = time(["-e", "0"]);
const cases = [
  ["keyplane --help", [bin, "--help"], 150],
  ["keyplane expiry --help", [bin, "expiry", "--help"], 150],
];
console.log(`startup (median of ${runs}, node ${process.version}): node -e 0 = ${baseline.toFixed(1)} ms`);
const figures = [];
for (const [name, args, target] of cases) {
  const over = time(args) - baseline;
  console.log(`${name.padEnd(26)} ${over.toFixed(1).padStart(7)} ms over node -e 0 (target < ${target} ms)`);
  figures.push({
    figure: `${name}: cold start over node -e 0`,
    value: over,
    unit: "ms",
    limit: target,
    limitLabel: "target",
    target: `< ${target} ms`,
  });
}
record("startup", figures);
