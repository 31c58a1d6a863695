import { evaluate } from "../../stacks/guardrails/evaluate";
import { lintPlan } from "../../stacks/guardrails/lint-plan";
import { RULES } from "../../stacks/guardrails/rules";
import { oneClassification } from "../../stacks/guardrails/rules/one-classification";
import { derived, variant } from "./plans";

const ADMIN = "arn:aws:iam::111111111111:role/KeyAdmin";
const findingsOf = (plan: Record<string, unknown>, rule: string) =>
  lintPlan(derived(plan)).filter((finding) => finding.rule === rule);
const compliant = variant({});

/** [rule, failing plan, severity, construct path, message, YAML path] */
const FAILING: [string, Record<string, unknown>, string, string, string, string][] = [
  [
    "KP-ROTATION",
    variant({ compliance: ["pci-dss"], "classifications.internal.rotationDays": 400 }),
    "error",
    "acme-security-us-east-1/payments-internal-sqs",
    "rotates every 400 days; the profile allows at most 365",
    "classifications.internal.rotationDays",
  ],
  [
    "KP-MATERIAL-VALIDITY",
    variant({ compliance: ["fedramp-moderate"], "classifications.restricted.materialValidityDays": 365 }),
    "error",
    "acme-security-us-east-1/payments-restricted-s3",
    "material valid for 365 days; the profile allows at most 180",
    "classifications.restricted.materialValidityDays",
  ],
  [
    "KP-EXPIRY-ALARM",
    variant({ monitoring: false }),
    "warning",
    "acme-security-us-east-1/payments-restricted-s3",
    "no alarm on SecondsUntilKeyMaterialExpiration: expiring material would disable the key unnoticed",
    "monitoring",
  ],
  [
    "KP-DELETION-WINDOW",
    variant({ compliance: ["hipaa"], "classifications.internal.deletionWindowDays": 7 }),
    "error",
    "acme-security-us-east-1/payments-internal-sqs",
    "deletion window of 7 days; the profile requires at least 30",
    "classifications.internal.deletionWindowDays",
  ],
  [
    "KP-WILDCARD-PRINCIPAL",
    variant({ administrators: ["*"] }),
    "error",
    "acme-security-us-east-1/payments-restricted-s3",
    'policy statement KeyAdministrators allows Principal "*" without a condition',
    "administrators",
  ],
  [
    "KP-SEPARATION-OF-DUTIES",
    variant({ "applications.payments.users": [ADMIN] }),
    "error",
    "acme-security-us-east-1/payments-restricted-s3",
    `${ADMIN} is both administrator and user`,
    "applications.payments.users",
  ],
  [
    "KP-ACCESS-MATRIX",
    variant({ "applications.payments.users": [ADMIN] }),
    "error",
    "acme-security-us-east-1/payments-restricted-s3",
    "none of payments's users can use alias/acme/payments/restricted/s3 through s3",
    "applications.payments.data.restricted",
  ],
  [
    "KP-LOCKOUT",
    variant({ administrators: [] }),
    "error",
    "acme-security-us-east-1/payments-restricted-s3",
    "no principal but the deploy role may change the key policy: if the pipeline breaks, the key is unmanageable (AWS support must recover it)",
    "administrators",
  ],
  [
    "KP-IMPORTER",
    variant({ custodians: [] }),
    "error",
    "acme-security-us-east-1/payments-restricted-s3",
    "no principal may import material into this EXTERNAL key: it would stay PendingImport",
    "custodians",
  ],
  [
    "KP-BUDGET",
    variant({ budget: { maxKeys: 3 } }),
    "error",
    "acme",
    "the plan creates 5 keys (4 data, 1 monitoring); budget.maxKeys is 3",
    "budget.maxKeys",
  ],
  [
    "KP-UNUSED-KEY",
    variant({ "applications.payments.users": [] }),
    "warning",
    "acme-security-us-east-1/payments-restricted-s3",
    "no principal may use this key: it costs money and protects nothing",
    "applications.payments.users",
  ],
  [
    "KP-MONITORING-REQUIRED",
    variant({ compliance: ["cis-aws"], monitoring: false }),
    "error",
    "acme-security-us-east-1",
    "the compliance profile requires key monitoring (trail, alerts), and it is off",
    "monitoring",
  ],
];

describe("guardrails over a plan", () => {
  test("the compliant plan has no findings under every profile", () => {
    expect(lintPlan(derived(compliant))).toEqual([]);
    expect(lintPlan(derived(variant({ compliance: ["pci-dss", "hipaa", "cis-aws"] })))).toEqual([]);
  });

  test.each(FAILING)("%s fails a plan that breaks it", (rule, plan, severity, path, message, yamlPath) => {
    const findings = findingsOf(plan, rule);
    expect(findings[0]).toMatchObject({ rule, severity, path, message, yamlPath });
    expect(findings[0]!.fix.length).toBeGreaterThan(10);
    expect(findingsOf(compliant, rule)).toEqual([]);
  });

  test("KP-IMPORTER: with iamDelegation, IAM policies may name the importers", () => {
    expect(findingsOf(variant({ custodians: [], iamDelegation: true }), "KP-IMPORTER")).toEqual([]);
  });

  test("KP-BUDGET counts every key plan explain lists, the monitoring key too", () => {
    expect(findingsOf(variant({ budget: { maxKeys: 5 } }), "KP-BUDGET")).toEqual([]);
    expect(findingsOf(variant({ budget: { maxKeys: 4 } }), "KP-BUDGET")[0]!.message).toBe(
      "the plan creates 5 keys (4 data, 1 monitoring); budget.maxKeys is 4",
    );
    expect(findingsOf(variant({ budget: { maxKeys: 3 }, monitoring: false }), "KP-BUDGET")[0]!.message).toBe(
      "the plan creates 4 keys; budget.maxKeys is 3",
    );
  });

  test("KP-EXPIRY-ALARM is an error where the profile requires monitoring", () => {
    expect(
      findingsOf(variant({ monitoring: false, compliance: ["pci-dss"] }), "KP-EXPIRY-ALARM")[0]!.severity,
    ).toBe("error");
  });

  test("KP-SEPARATION-OF-DUTIES: a custodian who is also an administrator", () => {
    const findings = findingsOf(variant({ custodians: [ADMIN] }), "KP-SEPARATION-OF-DUTIES");
    expect(findings[0]!.message).toBe(`${ADMIN} is both administrator and custodian`);
  });

  test("KP-LOCKOUT passes without administrators when the account root is delegated", () => {
    expect(findingsOf(variant({ administrators: [], iamDelegation: true }), "KP-LOCKOUT")).toEqual([]);
  });

  test("KP-CLASSIFICATION-TAG and KP-ONE-CLASSIFICATION over keys composed by hand", () => {
    const context = handComposedContext();
    const findings = evaluate(context, []).filter(
      (f) => f.rule === "KP-CLASSIFICATION-TAG" || f.rule === "KP-ONE-CLASSIFICATION",
    );
    expect(findings.map((f) => [f.rule, f.path, f.message])).toEqual([
      ["KP-CLASSIFICATION-TAG", "s/untagged", "key has no keyplane:classification tag"],
      [
        "KP-CLASSIFICATION-TAG",
        "s/unknown",
        "keyplane:classification 'secret' is not a classification of the plan",
      ],
      ["KP-ONE-CLASSIFICATION", "s/two", "key serves 2 classifications (internal, restricted)"],
    ]);
    expect(oneClassification.check({ ...context, keys: lintKeys().slice(0, 1) })).toEqual([]);
  });

  test("a suppression keeps the finding, marked with its reason, and it no longer counts as an error", () => {
    const plan = variant({
      budget: { maxKeys: 3 },
      suppress: [{ rule: "KP-BUDGET", path: "acme", reason: "pilot: four keys until the Q3 review" }],
    });
    expect(findingsOf(plan, "KP-BUDGET")).toEqual([
      expect.objectContaining({ severity: "error", suppressed: "pilot: four keys until the Q3 review" }),
    ]);
  });

  test("suppression paths take wildcards, and must name a known rule", () => {
    const plan = variant({
      "classifications.internal.rotationDays": 800,
      suppress: [
        { rule: "KP-ROTATION", path: "acme-security-*/payments-*", reason: "legacy queue, retired in May" },
      ],
    });
    expect(findingsOf(plan, "KP-ROTATION")[0]!.suppressed).toBe("legacy queue, retired in May");
    expect(() =>
      lintPlan(derived(variant({ suppress: [{ rule: "KP-NOPE", path: "*", reason: "no such rule here" }] }))),
    ).toThrow(/^suppress\[0\]\.rule: unknown rule 'KP-NOPE' \(known: KP-CLASSIFICATION-TAG, /);
  });

  test("sandbox mode suppresses the monitoring rules with the sandbox as reason", () => {
    const findings = lintPlan(derived(variant({ compliance: ["pci-dss"] }), true), { sandbox: true });
    expect(findings.map((f) => [f.rule, f.suppressed])).toEqual([
      ["KP-EXPIRY-ALARM", "sandbox mode: the sandbox speaks only KMS and STS"],
      ["KP-EXPIRY-ALARM", "sandbox mode: the sandbox speaks only KMS and STS"],
      ["KP-MONITORING-REQUIRED", "sandbox mode: the sandbox speaks only KMS and STS"],
    ]);
  });

  test("every rule has a failing case here", () => {
    // A rule counts as covered when one of this file's failing inputs makes it fire, not by its name.
    const covered = new Set([
      ...FAILING.flatMap(([rule, plan]) => (findingsOf(plan, rule).length > 0 ? [rule] : [])),
      ...evaluate(handComposedContext(), []).map((finding) => finding.rule),
    ]);
    expect(RULES.map((rule) => rule.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});

/** Keys as an app might compose them, outside any plan: the input of the two tag rules. */
function handComposedContext() {
  return {
    planName: "acme",
    knownClassifications: ["internal", "restricted"],
    thresholds: {
      maxRotationDays: 365,
      maxMaterialValidityDays: 365,
      minDeletionWindowDays: 7,
      monitoringRequired: false,
    },
    stacks: [],
    keys: lintKeys(),
  };
}

function lintKeys() {
  const base = derived().keys[2]!;
  const policy = { Version: "2012-10-17" as const, Statement: [] };
  const key = (path: string, tags: Record<string, string>, aliases: string[]) => ({
    path,
    tags,
    aliases,
    origin: "AWS_KMS" as const,
    autoRotatable: true,
    rotationDays: 365,
    deletionWindowDays: 30,
    policy,
    expiryAlarm: false,
    monitoringKey: false,
  });
  return [
    key("s/ok", base.tags, [base.alias]),
    key("s/untagged", {}, []),
    key("s/unknown", { "keyplane:classification": "secret" }, []),
    key("s/two", { "keyplane:classification": "internal" }, ["alias/acme/payments/restricted/sqs"]),
  ];
}
