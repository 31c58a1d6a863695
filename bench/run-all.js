#!/usr/bin/env node
// `npm run bench`: runs every benchmark one after another (never side by side: they would measure each
// other), then prints each figure beside its limit and the ratio, and writes the same table as Markdown to
// bench/out/summary.md for the README's Performance section.
// Usage: node bench/run-all.js [name ...]   (default: all; names as in SCRIPTS)
const { spawnSync } = require("node:child_process");
const { existsSync, readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { machine } = require("./lib");

const SCRIPTS = [
  "startup",
  "wrap",
  "synth",
  "terraform-plan",
  "sandbox",
  "enforcement",
  "fleet-expiry",
  "batch-import",
];

const chosen = process.argv.slice(2);
for (const name of chosen) {
  if (!SCRIPTS.includes(name)) {
    console.error(`bench: unknown benchmark '${name}'; expected one of ${SCRIPTS.join(", ")}`);
    process.exit(2);
  }
}
const build = spawnSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const failed = [];
for (const name of chosen.length > 0 ? chosen : SCRIPTS) {
  console.log(`\n== bench/${name}.js`);
  const run = spawnSync(process.execPath, [join(__dirname, `${name}.js`)], {
    stdio: "inherit",
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  if (run.status !== 0) failed.push(name);
}

const format = (value, unit) =>
  unit === "ms" && value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Number(value.toFixed(2))} ${unit}`;
const rows = [];
for (const name of SCRIPTS) {
  const file = join(__dirname, "out", `${name}.json`);
  if (!existsSync(file)) continue;
  const { figures, time } = JSON.parse(readFileSync(file, "utf8"));
  for (const figure of figures) {
    const ratio = figure.limit ? figure.value / figure.limit : undefined;
    rows.push([
      name,
      figure.figure,
      format(figure.value, figure.unit),
      figure.limit === undefined
        ? ""
        : `${format(figure.limit, figure.unit)}${figure.limitLabel ? ` (${figure.limitLabel})` : ""}`,
      ratio === undefined ? "" : ratio.toFixed(2),
      figure.target ?? "",
      time.slice(0, 16).replace("T", " "),
    ]);
  }
}
const header = ["bench", "figure", "value", "limit", "ratio", "target", "measured (UTC)"];
const markdown = [
  `Measured by \`npm run bench\` on ${machine()}.`,
  "",
  `| ${header.join(" | ")} |`,
  `| ${header.map(() => "---").join(" | ")} |`,
  ...rows.map((row) => `| ${row.map((cell) => cell.replace(/\|/g, "\\|")).join(" | ")} |`),
].join("\n");
writeFileSync(join(__dirname, "out", "summary.md"), `${markdown}\n`);
console.log(`\n${markdown}`);
if (failed.length > 0) {
  console.error(`\nbench: ${failed.join(", ")} failed`);
  process.exitCode = 1;
}
