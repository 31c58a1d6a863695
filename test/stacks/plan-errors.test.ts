import { KeyplaneError } from "../../byok/errors";
import { parsePlan } from "../../stacks/plan/load";
import { planYaml, variant } from "./plans";

function errorOf(text: string): string {
  try {
    parsePlan(text, "keyplan.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(KeyplaneError);
    expect((error as KeyplaneError).code).toBe("PLAN");
    return (error as KeyplaneError).message;
  }
  throw new Error("the plan was accepted");
}

const from = (changes: Record<string, unknown>) => planYaml(variant(changes));

const CASES: [string, string, string][] = [
  ["empty file", "", "keyplan.yaml: expected a key plan (a YAML map with version: 1), got an empty file"],
  ["a list", "- 1\n", "keyplan.yaml: expected a key plan (a YAML map with version: 1), got something else"],
  [
    "broken YAML",
    "version: 1\nname: [acme\n",
    "keyplan.yaml: line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]",
  ],
  ["duplicate key", "version: 1\nversion: 1\n", "keyplan.yaml: line 2, column 1: Map keys must be unique"],
  [
    "unknown top-level field",
    from({ monitorng: false }),
    "keyplan.yaml: (top level): unknown field 'monitorng' (known: version, name, management, region, replicaRegions, accounts, administrators, custodians, compliance, budget, monitoring, alerts, iamDelegation, deployRole, policyAsResource, backend, suppress, classifications, applications)",
  ],
  [
    "wrong version",
    from({ version: 2 }),
    "keyplan.yaml: version: expected 1 (the only key plan version), got 2",
  ],
  [
    "missing name",
    from({ name: undefined }),
    "keyplan.yaml: name: missing (expected a plan name as a string)",
  ],
  [
    "bad name",
    from({ name: "Acme Corp" }),
    "keyplan.yaml: name: expected a plan name: lower-case letters, digits and '-', starting with a letter, got 'Acme Corp'",
  ],
  [
    "unknown management",
    from({ management: "federated" }),
    "keyplan.yaml: management: expected centralized or decentralized, got 'federated'",
  ],
  [
    "bad region",
    from({ region: "mars-1" }),
    "keyplan.yaml: region: expected an AWS region such as us-east-1, got 'mars-1'",
  ],
  [
    "replica region list",
    from({ replicaRegions: "eu-west-1" }),
    "keyplan.yaml: replicaRegions: expected a list of AWS regions, got 'eu-west-1'",
  ],
  [
    "replica is the home region",
    from({ replicaRegions: ["us-east-1"] }),
    "keyplan.yaml: replicaRegions: 'us-east-1' is the plan's own region; expected other regions",
  ],
  [
    "account as a number",
    from({ "accounts.security": 111111111111 }),
    "keyplan.yaml: accounts.security: expected a 12-digit AWS account id in quotes, got 111111111111",
  ],
  [
    "short account",
    from({ "accounts.security": "1111" }),
    "keyplan.yaml: accounts.security: expected a 12-digit AWS account id, got '1111'",
  ],
  [
    "unknown accounts field",
    from({ "accounts.audit": "999999999999" }),
    "keyplan.yaml: accounts: unknown field 'audit' (known: security)",
  ],
  [
    "administrator not an ARN",
    from({ administrators: ["KeyAdmin"] }),
    "keyplan.yaml: administrators[0]: expected an IAM principal ARN (arn:aws:iam::<account>:role/<name>), got 'KeyAdmin'",
  ],
  [
    "unknown profile",
    from({ compliance: ["sox"] }),
    "keyplan.yaml: compliance[0]: unknown profile 'sox' (known: baseline, pci-dss, hipaa, fedramp-moderate, cis-aws)",
  ],
  [
    "zero budget",
    from({ budget: { maxKeys: 0 } }),
    "keyplan.yaml: budget.maxKeys: expected a positive whole number, got 0",
  ],
  [
    "monitoring not boolean",
    from({ monitoring: "no" }),
    "keyplan.yaml: monitoring: expected true or false (monitoring), got 'no'",
  ],
  [
    "bad e-mail",
    from({ alerts: { email: ["security"] } }),
    "keyplan.yaml: alerts.email[0]: expected an e-mail address, got 'security'",
  ],
  [
    "expiry warning too long",
    from({ alerts: { expiryWarningDays: 400 } }),
    "keyplan.yaml: alerts.expiryWarningDays: expected expiryWarningDays between 1 and 365 days, got 400",
  ],
  [
    "backend without bucket",
    from({ backend: { s3: { key: "k", region: "us-east-1" } } }),
    "keyplan.yaml: backend.s3.bucket: missing (expected an S3 bucket name)",
  ],
  [
    "unknown backend",
    from({ backend: { gcs: {} } }),
    "keyplan.yaml: backend: unknown field 'gcs' (known: local, s3)",
  ],
  [
    "two backends",
    from({
      backend: { local: { dir: "state" }, s3: { bucket: "acme-state", key: "k", region: "us-east-1" } },
    }),
    "keyplan.yaml: backend: give local or s3, not both",
  ],
  [
    "empty backend",
    from({ backend: {} }),
    "keyplan.yaml: backend: expected local: { dir } or s3: { bucket, key, region }",
  ],
  [
    "material validity beyond KMS's 365 days",
    from({ "classifications.restricted.materialValidityDays": 400 }),
    "keyplan.yaml: classifications.restricted.materialValidityDays: expected materialValidityDays between 1 and 365 days, got 400",
  ],
  [
    "policyAsResource not a boolean",
    from({ policyAsResource: "yes" }),
    "keyplan.yaml: policyAsResource: expected true or false (policyAsResource), got 'yes'",
  ],
  [
    "suppression without reason",
    from({ suppress: [{ rule: "KP-ROTATION", path: "*" }] }),
    "keyplan.yaml: suppress[0].reason: missing (expected the reason for the suppression)",
  ],
  [
    "suppression with a thin reason",
    from({ suppress: [{ rule: "KP-ROTATION", path: "*", reason: "because" }] }),
    "keyplan.yaml: suppress[0].reason: expected a reason of at least 10 characters, got 'because'",
  ],
  [
    "no classifications",
    from({ classifications: {} }),
    "keyplan.yaml: classifications: expected at least one classification, got a map",
  ],
  [
    "classification name",
    from({ "classifications.Top_Secret": {} }),
    "keyplan.yaml: classifications.Top_Secret: expected a classification name: lower-case letters, digits and '-', starting with a letter, got 'Top_Secret'",
  ],
  [
    "classification typo",
    from({ "classifications.internal": { rotationDay: 365 } }),
    "keyplan.yaml: classifications.internal: unknown field 'rotationDay' (known: keys, origin, keySpec, keyUsage, rotationDays, materialValidityDays, deletionWindowDays, shareAcrossServices, multiRegion)",
  ],
  [
    "rotation too short",
    from({ "classifications.internal.rotationDays": 30 }),
    "keyplan.yaml: classifications.internal.rotationDays: expected rotationDays between 90 and 2560 days, got 30",
  ],
  [
    "rotation fractional",
    from({ "classifications.internal.rotationDays": 100.5 }),
    "keyplan.yaml: classifications.internal.rotationDays: expected rotationDays as a whole number of days, got 100.5",
  ],
  [
    "deletion window too long",
    from({ "classifications.internal.deletionWindowDays": 31 }),
    "keyplan.yaml: classifications.internal.deletionWindowDays: expected deletionWindowDays between 7 and 30 days, got 31",
  ],
  [
    "unknown origin",
    from({ "classifications.restricted.origin": "hsm" }),
    "keyplan.yaml: classifications.restricted.origin: expected aws or external, got 'hsm'",
  ],
  [
    "unknown key spec",
    from({ "classifications.internal.keySpec": "AES_256" }),
    "keyplan.yaml: classifications.internal.keySpec: expected a key spec (SYMMETRIC_DEFAULT, HMAC_224, HMAC_256, HMAC_384, HMAC_512, RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1), got 'AES_256'",
  ],
  [
    "usage the spec forbids",
    from({ "classifications.internal": { keySpec: "ECC_NIST_P256", keyUsage: "ENCRYPT_DECRYPT" } }),
    "keyplan.yaml: classifications.internal.keyUsage: ECC_NIST_P256 keys allow SIGN_VERIFY, got 'ENCRYPT_DECRYPT'",
  ],
  [
    "rotation on an HMAC key",
    from({ "classifications.internal": { keySpec: "HMAC_256", rotationDays: 365 } }),
    "keyplan.yaml: classifications.internal.rotationDays: KMS rotates only symmetric encryption keys, and this one is HMAC_256 (remove rotationDays)",
  ],
  [
    "external asymmetric",
    from({ "classifications.restricted.keySpec": "RSA_2048" }),
    "keyplan.yaml: classifications.restricted.keySpec: external keys (aws_kms_external_key) are SYMMETRIC_DEFAULT only, got 'RSA_2048'",
  ],
  [
    "validity without external",
    from({ "classifications.internal.materialValidityDays": 90 }),
    "keyplan.yaml: classifications.internal.materialValidityDays: only for origin: external (imported material), got origin aws",
  ],
  [
    "aws-managed with settings",
    from({ "classifications.public.rotationDays": 365 }),
    "keyplan.yaml: classifications.public.rotationDays: not allowed with keys: aws-managed (AWS manages those keys; remove it)",
  ],
  [
    "multiRegion without replicas",
    from({ "classifications.internal.multiRegion": true }),
    "keyplan.yaml: classifications.internal.multiRegion: needs replicaRegions at the top level (where to replicate), got none",
  ],
  [
    "reserved classification",
    from({ "classifications.monitoring": {} }),
    "keyplan.yaml: classifications.monitoring: reserved for the stacks' own monitoring key; choose another name",
  ],
  [
    "unknown classification in data",
    from({ "applications.payments.data.secret": ["s3"] }),
    "keyplan.yaml: applications.payments.data.secret: unknown classification 'secret' (known: public, internal, confidential, restricted)",
  ],
  [
    "unknown service",
    from({ "applications.payments.data.internal": ["sqs", "s4"] }),
    "keyplan.yaml: applications.payments.data.internal[1]: unknown service 's4' (known: s3, rds, ebs, dynamodb, sqs, sns, lambda, secretsmanager, ssm, kinesis, efs, redshift, backup, logs, cloudtrail)",
  ],
  [
    "no services",
    from({ "applications.payments.data.internal": [] }),
    "keyplan.yaml: applications.payments.data.internal: expected at least one service, got a list",
  ],
  [
    "services not a list",
    from({ "applications.payments.data.internal": "sqs" }),
    "keyplan.yaml: applications.payments.data.internal: expected a list of services such as [s3, rds], got 'sqs'",
  ],
  [
    "application without account",
    from({ "applications.payments.account": undefined }),
    "keyplan.yaml: applications.payments.account: missing (expected a 12-digit AWS account id in quotes)",
  ],
  [
    "application typo",
    from({ "applications.payments.user": [] }),
    "keyplan.yaml: applications.payments: unknown field 'user' (known: account, users, data)",
  ],
  [
    "users not a list",
    from({ "applications.payments.users": "arn:aws:iam::222222222222:role/payments-api" }),
    "keyplan.yaml: applications.payments.users: expected a list of IAM principal ARNs, got 'arn:aws:iam::222222222222:role/payments-api'",
  ],
];

describe("malformed key plans: one line naming the YAML path and what was expected", () => {
  test("there are at least 30 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  test.each(CASES)("%s", (_name, text, expected) => {
    const message = errorOf(text);
    expect(message).toBe(expected);
    expect(message).not.toContain("\n");
  });

  test("the unchanged base plan is accepted", () => {
    expect(() => parsePlan(planYaml(variant({})), "keyplan.yaml")).not.toThrow();
  });
});
