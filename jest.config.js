/**
 * Three projects, so the quick ones can run on their own (`npm run test:unit`, `npm run test:integration`):
 * - unit: in-process only, no child process, no sandbox, no dist/ (so no build first);
 * - integration (the default for a new file): the built CLI and sandbox as child processes, OpenSSL, Python;
 * - e2e: Terraform against the sandbox, the whole BYOK story, the demo, and fleets paced to AWS's quotas.
 * Tests run TypeScript through SWC (type checking is `npm run typecheck`, once, not per file).
 */
const UNIT = [
  "byok/escrow",
  "byok/expiry-rule",
  "byok/journal",
  "byok/models",
  "byok/offline-binding",
  "byok/pacer",
  "report/journal-report",
  "byok-online/units",
  "cli/progress",
  "cli/report-error",
  "package/ci-recipes",
  "sandbox/quotas-faults",
  "sandbox/wrapping-table",
  "stacks/app",
  "stacks/constructs",
  "stacks/derive",
  "stacks/guardrails",
  "stacks/library",
  "stacks/plan-errors",
  "stacks/policy",
];
/** Besides every file under test/e2e/. */
const E2E = [
  "cli/fleet-scale",
  "package/package",
  "sandbox/stacks-e2e",
  "sandbox/terraform-e2e",
  "stacks/synth-terraform",
  "audit/adopt",
  "audit/audit-estate",
  "policies/deploy-apply",
];
const files = (names) => names.map((name) => `<rootDir>/test/${name}.test.ts`);

const common = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" }, module: { type: "commonjs" } }] },
  setupFilesAfterEnv: ["<rootDir>/test/support/setup.ts"],
  testTimeout: 60000,
};
/** Builds dist/ once per run, for the projects that run the compiled CLI. */
const built = { globalSetup: "<rootDir>/test/support/global-setup.js" };

module.exports = {
  maxWorkers: 2,
  testTimeout: 60000,
  projects: [
    { ...common, displayName: "unit", testMatch: files(UNIT) },
    {
      ...common,
      ...built,
      displayName: "integration",
      testMatch: ["<rootDir>/test/**/*.test.ts"],
      testPathIgnorePatterns: [
        "<rootDir>/test/e2e/",
        ...[...files(UNIT), ...files(E2E)].map((path) => `${path.replace(/\./g, "\\.")}$`),
      ],
    },
    {
      ...common,
      ...built,
      displayName: "e2e",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts", ...files(E2E)],
    },
  ],
};
