/** Tests run TypeScript through SWC (type checking is `npm run typecheck`, once, not per file). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" }, module: { type: "commonjs" } }] },
  globalSetup: "<rootDir>/test/support/global-setup.js",
  setupFilesAfterEnv: ["<rootDir>/test/support/setup.ts"],
  testTimeout: 60000,
  maxWorkers: 2,
};
