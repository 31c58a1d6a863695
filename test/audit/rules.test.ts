import { auditEstate, auditKey } from "../../byok/audit/evaluate";
import type { AuditedKey, AuditSettings } from "../../byok/audit/model";

const SETTINGS: AuditSettings = { expiringWithinDays: 30, unusedDays: 90, maxRotationDays: 365 };
const NOW = new Date("2026-06-01T00:00:00Z");
const ARN = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** A clean, classified, rotated, recently used key; each test changes one thing. */
function key(change: Partial<AuditedKey> = {}): AuditedKey {
  return {
    account: "111111111111",
    region: "us-east-1",
    arn: ARN,
    metadata: {
      KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
      Arn: ARN,
      KeyState: "Enabled",
      Origin: "AWS_KMS",
      KeySpec: "SYMMETRIC_DEFAULT",
      KeyUsage: "ENCRYPT_DECRYPT",
      KeyManager: "CUSTOMER",
    },
    tags: {
      "keyplane:classification": "internal",
      "keyplane:application": "orders",
      "keyplane:service": "sqs",
    },
    aliases: ["alias/acme/orders/internal/sqs"],
    policy: {
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::111111111111:root" },
          Action: "kms:*",
          Resource: "*",
        },
      ],
    },
    grants: [],
    rotation: { enabled: true, periodDays: 365 },
    materials: [],
    lastUse: { at: new Date("2026-05-30T00:00:00Z"), operation: "Encrypt" },
    observedAt: NOW,
    ...change,
  };
}

const rules = (audited: AuditedKey) => auditKey(audited, SETTINGS).map((finding) => finding.rule);
const statement = (extra: object) => ({
  Statement: [
    { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "kms:*", Resource: "*" },
    { Effect: "Allow", Resource: "*", ...extra },
  ],
});

describe("audit rules over one key", () => {
  test("a clean key has no finding; the account root with kms:* is delegation, not admin-can-use", () => {
    expect(rules(key())).toEqual([]);
  });

  test("a NotAction statement allows every action it does not list: administer and use", () => {
    const policy = statement({
      Principal: { AWS: "arn:aws:iam::111111111111:role/Ops" },
      NotAction: "kms:Sign",
    });
    expect(rules(key({ policy }))).toEqual(["admin-can-use"]);
  });

  test("a use grant makes an administrator a user too", () => {
    const policy = statement({
      Principal: { AWS: "arn:aws:iam::111111111111:role/Ops" },
      Action: "kms:Put*",
    });
    const grants = [
      {
        GrantId: "g1",
        GranteePrincipal: "arn:aws:iam::111111111111:role/Ops",
        Operations: ["Decrypt" as const],
      },
    ];
    expect(rules(key({ policy }))).toEqual([]);
    expect(rules(key({ policy, grants }))).toEqual(["admin-can-use"]);
  });

  test("a condition on a wildcard or another account's principal clears the finding", () => {
    const open = statement({ Principal: "*", Action: "kms:Decrypt" });
    const conditioned = statement({
      Principal: { AWS: "*" },
      Action: "kms:Decrypt",
      Condition: { StringEquals: { "kms:CallerAccount": "111111111111" } },
    });
    expect(rules(key({ policy: open }))).toEqual(["wildcard-principal"]);
    expect(rules(key({ policy: conditioned }))).toEqual([]);
    expect(
      rules(key({ policy: statement({ Principal: { AWS: "222222222222" }, Action: "kms:Decrypt" }) })),
    ).toEqual(["cross-account-unconditioned"]);
  });

  test("keyplane:service=* allows several services; a service grant counts as a service", () => {
    const grants = [
      { GrantId: "g2", GranteePrincipal: "rds.amazonaws.com", Operations: ["Decrypt" as const] },
    ];
    expect(rules(key({ grants }))).toEqual(["shared-across-services"]);
    expect(rules(key({ grants, tags: { ...key().tags, "keyplane:service": "*" }, aliases: [] }))).toEqual([]);
  });

  test("unused counts from tracking start when the key was never used; disabled keys are left to other rules", () => {
    const idle = { trackingStartedAt: new Date("2026-01-01T00:00:00Z") };
    expect(rules(key({ lastUse: idle }))).toEqual(["unused"]);
    const disabled = key({
      lastUse: idle,
      aliases: [],
      metadata: { ...key().metadata, KeyState: "Disabled" },
    });
    expect(rules(disabled)).toEqual([]);
  });

  test("every material of an imported key: a NON_CURRENT one expiring is reported too", () => {
    const external = key({
      metadata: { ...key().metadata, Origin: "EXTERNAL" },
      rotation: undefined,
      materials: [
        {
          keyMaterialId: "m1",
          materialState: "NON_CURRENT",
          importState: "IMPORTED",
          expirationModel: "KEY_MATERIAL_EXPIRES",
          validTo: new Date("2026-06-10T00:00:00Z"),
        },
        {
          keyMaterialId: "m2",
          materialState: "CURRENT",
          importState: "IMPORTED",
          expirationModel: "KEY_MATERIAL_EXPIRES",
          validTo: new Date("2027-01-01T00:00:00Z"),
        },
      ],
    });
    const findings = auditKey(external, SETTINGS);
    expect(findings.map((finding) => finding.rule)).toEqual(["material-expiring"]);
    expect(findings[0]?.evidence).toContain("material m1 NON_CURRENT");
  });

  test("over-budget: one finding per account and Region above the budget, none without a budget", () => {
    const estate = { account: "111111111111", region: "us-east-1", keyCount: 41 };
    expect(auditEstate(estate, SETTINGS)).toEqual([]);
    expect(auditEstate(estate, { ...SETTINGS, budget: 40 })).toEqual([
      expect.objectContaining({ rule: "over-budget", keyArn: "arn:aws:kms:us-east-1:111111111111:key/*" }),
    ]);
  });
});
