// Synth time of `keyplane synth` (the built CLI: plan loading, guardrails, constructs, Terraform JSON) for
// generated plans of 150, 1,500 and 5,000 keys, and, side by side at 1,500 keys, the bare-cdktf floor: an
// app of plain aws_kms_key/aws_kms_external_key + aws_kms_alias resources carrying the very descriptions,
// tags and literal policies keyplane wrote (no plan, no guardrails, no monitoring). Median of 3 wall times
// (runs alternate between the two), CPU time, peak RSS, marginal ms per key.
// Targets: keyplane at most 1.5x the floor at 1,500 keys; under 2 ms per additional key, linear growth.
// Run `npm run build` first.
const { spawnSync } = require("node:child_process");
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

const BIN = join(__dirname, "..", "dist", "cli", "bin.js");

/** The floor app, run in a child: `node bench/synth.js --floor KEYS.json OUTDIR`. */
function floorApp(keysFile, outdir) {
  const { App, LocalBackend, TerraformStack } = require("cdktf");
  const { AwsProvider } = require("@cdktf/provider-aws/lib/provider");
  const { KmsKey } = require("@cdktf/provider-aws/lib/kms-key");
  const { KmsExternalKey } = require("@cdktf/provider-aws/lib/kms-external-key");
  const { KmsAlias } = require("@cdktf/provider-aws/lib/kms-alias");
  const keys = JSON.parse(readFileSync(keysFile, "utf8"));
  const app = new App({ outdir, stackTraces: false });
  const stack = new TerraformStack(app, "floor");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new LocalBackend(stack, { path: "floor.tfstate" });
  keys.forEach((key, index) => {
    const props = { description: key.description, policy: key.policy, tags: key.tags };
    const resource =
      key.kind === "external"
        ? new KmsExternalKey(stack, `key-${index}`, { ...props, deletionWindowInDays: 30 })
        : new KmsKey(stack, `key-${index}`, {
            ...props,
            enableKeyRotation: true,
            rotationPeriodInDays: key.rotationDays,
            deletionWindowInDays: 30,
          });
    key.aliases.forEach((alias, n) => {
      new KmsAlias(stack, `alias-${index}-${n}`, {
        name: alias,
        targetKeyId: key.kind === "external" ? resource.id : resource.keyId,
      });
    });
  });
  app.synth();
}

if (process.argv[2] === "--floor") {
  floorApp(process.argv[3], process.argv[4]);
} else {
  main();
}

function main() {
  const { generatePlan } = require("./generate-plan");
  const { median, machine, record } = require("./lib");
  // Runs `args` under node in this child; the child reports its own peak RSS (KiB) and CPU time (µs) on
  // stderr's last line. CPU time moves less than wall time when others share the machine.
  const runner = (script, args) =>
    `process.on("exit", () => { const u = process.resourceUsage(); process.stderr.write("maxrss " + u.maxRSS + " cpu " + (u.userCPUTime + u.systemCPUTime) + "\\n"); }); process.argv = [process.argv[0], ${JSON.stringify(script)}, ...${JSON.stringify(args)}]; require(${JSON.stringify(script)});`;

  function runOnce(dir, script, args) {
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ["-e", runner(script, args)], {
      cwd: dir,
      env: { ...process.env, KEYPLANE_SANDBOX_URL: "", NO_COLOR: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const result = child.stderr.toString();
    if (child.status !== 0) throw new Error(`synth failed: ${result}`);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return {
      ms,
      cpuMs: Number(/cpu (\d+)/.exec(result)?.[1] ?? 0) / 1000,
      rssMiB: Number(/maxrss (\d+)/.exec(result)?.[1] ?? 0) / 1024,
    };
  }

  const keyplaneRun = (dir) =>
    runOnce(dir, BIN, ["synth", "--plan", "keyplan.yaml", "--out", "out", "--backend", "local:state"]);
  const floorRun = (dir) => runOnce(dir, __filename, ["--floor", join(dir, "keys.json"), join(dir, "floor")]);

  const summary = (keys, runs) => ({
    keys,
    ms: median(runs.map((run) => run.ms)),
    cpuMs: median(runs.map((run) => run.cpuMs)),
    rssMiB: Math.max(...runs.map((run) => run.rssMiB)),
  });

  /** The keys keyplane wrote, as the floor app's input: same descriptions, tags, literal policies. */
  function floorInput(dir) {
    const outStacks = join(dir, "out", "stacks");
    const json = JSON.parse(readFileSync(join(outStacks, "bench-security-us-east-1", "cdk.tf.json"), "utf8"));
    const aliases = Object.values(json.resource.aws_kms_alias);
    const aliasesOf = (logicalId, kind) =>
      aliases
        .filter((alias) => alias.target_key_id.includes(`${kind}.${logicalId}.`))
        .map((alias) => alias.name);
    const keys = [
      ...Object.entries(json.resource.aws_kms_key).map(([id, key]) => ({
        kind: "managed",
        description: key.description,
        policy: key.policy,
        tags: key.tags,
        rotationDays: key.rotation_period_in_days,
        aliases: aliasesOf(id, "aws_kms_key"),
      })),
      ...Object.entries(json.resource.aws_kms_external_key).map(([id, key]) => ({
        kind: "external",
        description: key.description,
        policy: key.policy,
        tags: key.tags,
        aliases: aliasesOf(id, "aws_kms_external_key"),
      })),
    ];
    writeFileSync(join(dir, "keys.json"), JSON.stringify(keys));
  }

  /** `keysOnly`: no compliance profile and `monitoring: false`, so keyplane writes keys and aliases alone. */
  function measure(keys, withFloor, keysOnly = false) {
    const dir = mkdtempSync(join(tmpdir(), "keyplane-bench-synth-"));
    try {
      const plan = generatePlan(keys);
      writeFileSync(
        join(dir, "keyplan.yaml"),
        keysOnly ? plan.replace("compliance: [pci-dss]", "monitoring: false") : plan,
      );
      const keyplane = [keyplaneRun(dir)];
      const floor = [];
      if (withFloor) floorInput(dir);
      for (let i = 0; i < 2; i++) {
        if (withFloor) floor.push(floorRun(dir));
        keyplane.push(keyplaneRun(dir));
      }
      if (withFloor) floor.push(floorRun(dir));
      return { keyplane: summary(keys, keyplane), floor: withFloor ? summary(keys, floor) : undefined };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const small = measure(150, false).keyplane;
  const { keyplane: mid, floor } = measure(1500, true);
  const large = measure(5000, false).keyplane;
  const { keyplane: bare, floor: bareFloor } = measure(1500, true, true);
  const line = (label, r) =>
    `${label.padEnd(28)} ${r.ms.toFixed(0).padStart(6)} ms (median of 3; CPU ${r.cpuMs.toFixed(0)} ms), peak ${r.rssMiB.toFixed(0)} MiB`;
  console.log(`synth of generated plans (${machine()})`);
  console.log(line("keyplane synth,   150 keys", small));
  console.log(line("keyplane synth, 1,500 keys", mid));
  console.log(line("bare cdktf floor, 1,500 keys", floor));
  console.log(line("keyplane synth, 5,000 keys", large));
  console.log(line("keys only (no monitoring), 1,500", bare));
  console.log(line("bare cdktf floor, same keys", bareFloor));
  const ratio = mid.ms / floor.ms;
  const cpuRatio = mid.cpuMs / floor.cpuMs;
  // keyplane also writes the monitoring (trail, rules, topic, an alarm per external key) and the manifest.
  console.log(
    `keyplane / floor at 1,500 keys: ${ratio.toFixed(2)}x wall, ${cpuRatio.toFixed(2)}x CPU (target: at most 1.5x)`,
  );
  const bareRatio = bare.ms / bareFloor.ms;
  const bareCpuRatio = bare.cpuMs / bareFloor.cpuMs;
  console.log(`keys only (no monitoring): ${bareRatio.toFixed(2)}x wall, ${bareCpuRatio.toFixed(2)}x CPU`);
  const marginalLow = (mid.ms - small.ms) / (mid.keys - small.keys);
  const marginalHigh = (large.ms - mid.ms) / (large.keys - mid.keys);
  console.log(
    `marginal: ${marginalLow.toFixed(2)} ms/key (150->1,500), ${marginalHigh.toFixed(2)} ms/key (1,500->5,000)`,
  );
  record("synth", [
    {
      figure: "keyplane synth / bare cdktf, 1,500 keys",
      value: Number(ratio.toFixed(2)),
      unit: "x",
      limit: 1.5,
      target: "at most 1.5x",
    },
    { figure: "keyplane synth / bare cdktf, 1,500 keys, CPU", value: Number(cpuRatio.toFixed(2)), unit: "x" },
    { figure: "keys only / bare cdktf, 1,500 keys", value: Number(bareRatio.toFixed(2)), unit: "x" },
    { figure: "keys only / bare cdktf, 1,500 keys, CPU", value: Number(bareCpuRatio.toFixed(2)), unit: "x" },
    { figure: "keys only / bare cdktf, 1,500 keys", value: Number(bareRatio.toFixed(2)), unit: "x" },
    { figure: "keys only / bare cdktf, 1,500 keys, CPU", value: Number(bareCpuRatio.toFixed(2)), unit: "x" },
    { figure: "synth 1,500 keys", value: Math.round(mid.ms), unit: "ms", limit: 3000, target: "under 3 s" },
    { figure: "bare cdktf floor 1,500 keys", value: Math.round(floor.ms), unit: "ms" },
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
}
