// Tests run the compiled CLI and stacks; build once so they never test stale JavaScript.
const { execFileSync } = require("node:child_process");
const { join } = require("node:path");

module.exports = async () => {
  execFileSync(
    process.execPath,
    [join(__dirname, "..", "..", "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: join(__dirname, "..", ".."),
      stdio: "inherit",
    },
  );
};
