// Shared helpers for bench scripts: every script prints its figures for people and records them in
// bench/out/<name>.json so `npm run bench` can put them side by side with their limits.
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

module.exports = { median, machine, record };
