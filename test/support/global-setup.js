// Tests run the compiled CLI and stacks; build once so they never test stale JavaScript. Each project
// that runs dist/ names this file; the flag keeps it to one build per jest run.
const { execFileSync } = require("node:child_process");
const { join } = require("node:path");

let built = false;

module.exports = async () => {
  if (built) return;
  execFileSync(
    process.execPath,
    [join(__dirname, "..", "..", "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: join(__dirname, "..", ".."),
      stdio: "inherit",
    },
  );
  built = true;
};
