// Synth time of the stacks app (node dist/stacks/main.js, as cdktf.json runs it after the build) for
// generated plans of 150, 1,500 and 5,000 keys: median of 3 wall times, peak RSS, marginal ms per key.
// Target: 1,500 keys under 3 s, under 2 ms per additional key, linear growth. Run `npm run build` first.
const { spawnSync } = require("node:child_process");
const { mkdtempSync, rmSync, writeFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { generatePlan } = require("./generate-plan");
const { median, machine, record } = require("./lib");

const MAIN = join(__dirname, "..", "dist", "stacks", "main.js");
// Runs the app in this child and reports its own peak RSS (KiB) and CPU time (µs) on stderr's last line. CPU
// time moves less than wall time when others share the machine.
const RUNNER = `process.on("exit", () => { const u = process.resourceUsage(); process.stderr.write("maxrss " + u.maxRSS + " cpu " + (u.userCPUTime + u.systemCPUTime) + "\\n"); }); require(${JSON.stringify(MAIN)});`;

function runOnce(dir) {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ["-e", RUNNER], {
    cwd: dir,
    env: {
      ...process.env,
      CDKTF_OUTDIR: join(dir, "out"),
      KEYPLANE_PLAN: join(dir, "keyplan.yaml"),
      KEYPLANE_SANDBOX_URL: "",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const result = child.stderr.toString();
  if (child.status !== 0) throw new Error(`synth failed: ${result}`);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  rmSync(join(dir, "out"), { recursive: true, force: true });
  return {
    ms,
    cpuMs: Number(/cpu (\d+)/.exec(result)?.[1] ?? 0) / 1000,
    rssMiB: Number(/maxrss (\d+)/.exec(result)?.[1] ?? 0) / 1024,
  };
}

function measure(keys) {
  const dir = mkdtempSync(join(tmpdir(), "keyplane-bench-synth-"));
  try {
    writeFileSync(join(dir, "keyplan.yaml"), generatePlan(keys));
    const runs = [runOnce(dir), runOnce(dir), runOnce(dir)];
    return {
      keys,
      ms: median(runs.map((run) => run.ms)),
      cpuMs: median(runs.map((run) => run.cpuMs)),
      rssMiB: Math.max(...runs.map((run) => run.rssMiB)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [150, 1500, 5000].map(measure);
console.log(`synth of generated plans (${machine()})`);
for (const r of results)
  console.log(
    `${String(r.keys).padStart(5)} keys: ${r.ms.toFixed(0).padStart(6)} ms (median of 3; CPU ${r.cpuMs.toFixed(0)} ms), peak ${r.rssMiB.toFixed(0)} MiB`,
  );
const [small, mid, large] = results;
const marginalLow = (mid.ms - small.ms) / (mid.keys - small.keys);
const marginalHigh = (large.ms - mid.ms) / (large.keys - mid.keys);
console.log(
  `marginal: ${marginalLow.toFixed(2)} ms/key (150->1,500), ${marginalHigh.toFixed(2)} ms/key (1,500->5,000)`,
);
record("synth", [
  { figure: "synth 1,500 keys", value: Math.round(mid.ms), unit: "ms", limit: 3000, target: "under 3 s" },
  {
    figure: "marginal per key 150->1,500",
    value: Number(marginalLow.toFixed(2)),
    unit: "ms",
    limit: 2,
    target: "under 2 ms",
  },
  {
    figure: "marginal per key 1,500->5,000",
    value: Number(marginalHigh.toFixed(2)),
    unit: "ms",
    limit: 2,
    target: "under 2 ms (linear)",
  },
  { figure: "synth 150 keys", value: Math.round(small.ms), unit: "ms" },
  { figure: "synth 5,000 keys", value: Math.round(large.ms), unit: "ms" },
  { figure: "synth 1,500 keys, CPU time", value: Math.round(mid.cpuMs), unit: "ms" },
  { figure: "peak RSS 5,000 keys", value: Math.round(large.rssMiB), unit: "MiB" },
]);
