// Writes a centralized key plan deriving `keys` keys (5 per application: 4 AWS_KMS, 1 external), for
// bench/synth.js. Usage: node bench/generate-plan.js KEYS FILE
const { writeFileSync } = require("node:fs");

function generatePlan(keys) {
  const applications = Math.ceil(keys / 5);
  const lines = [
    "version: 1",
    "name: bench",
    "management: centralized",
    "region: us-east-1",
    'accounts: { security: "111111111111" }',
    'administrators: ["arn:aws:iam::111111111111:role/KeyAdmin"]',
    'custodians: ["arn:aws:iam::111111111111:role/KeyCustodian"]',
    "compliance: [pci-dss]",
    "classifications:",
    "  internal: { rotationDays: 365 }",
    "  confidential: { rotationDays: 180 }",
    "  restricted: { origin: external, rotationDays: 90, materialValidityDays: 180 }",
    "applications:",
  ];
  for (let i = 0; i < applications; i++) {
    const account = String(200000000000 + i);
    lines.push(
      `  app-${i}:`,
      `    account: "${account}"`,
      `    users: ["arn:aws:iam::${account}:role/app-${i}"]`,
      "    data: { internal: [s3, sqs], confidential: [rds, dynamodb], restricted: [s3] }",
    );
  }
  return lines.join("\n") + "\n";
}

if (require.main === module) {
  const [keys, file] = process.argv.slice(2);
  writeFileSync(file, generatePlan(Number(keys)));
}

module.exports = { generatePlan };
