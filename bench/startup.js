#!/usr/bin/env node
// Cold start of the compiled CLI minus the cost of starting node itself (median of N runs each):
// `keyplane --help`, `keyplane expiry --help`, and a whole `keyplane expiry` against an empty sandbox
// (AWS SDK loaded, one ListKeys and one ListAliases call answered).
// Usage: node bench/startup.js [runs]   (needs `npm run build`)
const { spawnSync } = require("node:child_process");
const { join } = require("node:path");
const { median, record, sandboxEnv, startSandbox, stopSandbox } = require("./lib");

const runs = Number(process.argv[2] ?? 15);
const bin = join(__dirname, "..", "dist", "cli", "bin.js");

function time(args, env = process.env) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: "ignore", env });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}`);
  }
  return median(samples);
}

async function main() {
  const { child, url } = await startSandbox();
  try {
    const baseline = time(["-e", "0"]);
    const cases = [
      ["keyplane --help", [bin, "--help"], process.env, 150],
      ["keyplane expiry --help", [bin, "expiry", "--help"], process.env, 150],
      ["keyplane expiry (empty sandbox)", [bin, "expiry"], sandboxEnv(url), undefined],
    ];
    console.log(
      `startup (median of ${runs}, node ${process.version}): node -e 0 = ${baseline.toFixed(1)} ms`,
    );
    const figures = [];
    for (const [name, args, env, target] of cases) {
      const over = time(args, env) - baseline;
      console.log(
        `${name.padEnd(34)} ${over.toFixed(1).padStart(7)} ms over node -e 0${target ? ` (target < ${target} ms)` : ""}`,
      );
      figures.push({
        figure: `${name}: cold start over node -e 0`,
        value: Number(over.toFixed(1)),
        unit: "ms",
        ...(target ? { limit: target, limitLabel: "target", target: `< ${target} ms` } : {}),
      });
    }
    record("startup", figures);
  } finally {
    await stopSandbox(child);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
