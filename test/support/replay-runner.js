// Runs many command lines through the built CLI in one node process (the same `main` dist/cli/bin.js calls),
// so hundreds of malformed inputs replay in seconds instead of a node start-up each.
//
//   node replay-runner.js CASES.json WORKDIR
//
// CASES.json: [{ "name", "args": [...], "env": {...} }]. Each case runs with WORKDIR as its working folder;
// its exit code, stdout and stderr, and the files it left changed in WORKDIR, are printed as one JSON line
// as soon as it ends. A case that blocks the process (a synchronous read that never returns) leaves the
// lines printed so far; the caller names the case after the last one as the one that hung.
const { readdirSync, readFileSync, rmSync, statSync } = require("node:fs");
const { join } = require("node:path");
const { main } = require("../../dist/cli/main");

const [casesFile, workdir] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(casesFile, "utf8"));
const writeOut = process.stdout.write.bind(process.stdout);
const writeErr = process.stderr.write.bind(process.stderr);
const PER_CASE_MS = 20_000;

function snapshot(dir) {
  const files = new Map();
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        files.set(path, "dir");
        walk(path);
      } else {
        const stats = statSync(path, { throwIfNoEntry: false });
        files.set(path, stats?.isFile() ? `${stats.size}:${stats.mtimeMs}` : "special");
      }
    }
  };
  walk(dir);
  return files;
}

/** Paths created, changed or removed between two snapshots; `created` are the ones that did not exist. */
function changes(before, after) {
  const changed = [];
  const created = [];
  for (const [path, state] of after) {
    if (!before.has(path)) created.push(path);
    else if (before.get(path) !== state) changed.push(path);
  }
  for (const path of before.keys()) if (!after.has(path)) changed.push(path);
  return { written: [...created, ...changed], created };
}

async function runCase(testCase) {
  const saved = { ...process.env };
  Object.assign(process.env, testCase.env ?? {});
  process.exitCode = undefined;
  let stdout = "";
  let stderr = "";
  process.stdout.write = (chunk) => {
    stdout += String(chunk);
    return true;
  };
  process.stderr.write = (chunk) => {
    stderr += String(chunk);
    return true;
  };
  let code;
  try {
    code = await Promise.race([
      main(["node", "keyplane", ...testCase.args]),
      new Promise((resolve) => setTimeout(() => resolve("timeout"), PER_CASE_MS).unref()),
    ]);
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}

(async () => {
  process.chdir(workdir);
  let before = snapshot(workdir);
  for (const testCase of cases) {
    const started = Date.now();
    const result = await runCase(testCase);
    const ms = Date.now() - started;
    const after = snapshot(workdir);
    const { written, created } = changes(before, after);
    // What a failed case created is removed, so the next case starts from the same files.
    for (const path of created) rmSync(path, { recursive: true, force: true });
    before = written.length > 0 ? snapshot(workdir) : after;
    writeOut(`${JSON.stringify({ name: testCase.name, ...result, written, ms })}\n`);
  }
  process.exit(0);
})();
