/** `keyplane plan lint` and the synth's gate: guardrails over the derived plan, without cdktf. */
import { KeyplaneError } from "../../byok/errors";
import { KEY_SPEC_INFO } from "../../byok/vocabulary/key-specs";
import { createdKeys, type DerivedKey, type DerivedPlan, MONITORING_CLASSIFICATION } from "../plan/derive";
import { policyForKey } from "../plan/policy-for-key";
import { reviewPlan } from "../plan/review";
import { accessDeviations } from "../policy/plan-access";
import { evaluate, type Suppression, type YamlPathOf } from "./evaluate";
import { thresholdsFor } from "./profiles";
import type { Finding, GuardedKey, GuardrailContext, PlanSetting } from "./rule";

/** Why sandbox mode turns monitoring guardrails off: printed with the suppressed findings. */
export const SANDBOX_SUPPRESSIONS: readonly Suppression[] = [
  { rule: "KP-MONITORING-REQUIRED", path: "*", reason: "sandbox mode: the sandbox speaks only KMS and STS" },
  { rule: "KP-EXPIRY-ALARM", path: "*", reason: "sandbox mode: the sandbox speaks only KMS and STS" },
];

/**
 * Every guardrail over the derived plan. `source` (the plan file) prefixes errors about the plan itself,
 * such as a suppression naming an unknown rule.
 */
export function lintPlan(
  derived: DerivedPlan,
  options: { sandbox?: boolean; source?: string } = {},
): Finding[] {
  const { plan } = derived;
  const context: GuardrailContext = {
    planName: plan.name,
    knownClassifications: [...Object.keys(plan.classifications), MONITORING_CLASSIFICATION],
    thresholds: thresholdsFor(plan.compliance),
    stacks: derived.stacks.map((stack) => ({ path: stack.id, monitoring: derived.monitoring })),
    // Every stack has its monitoring key (and the expiry alarms) exactly when the plan's monitoring is on.
    keys: createdKeys(derived).map((key) => guardedKey(key, derived.monitoring)),
  };
  if (plan.budget) context.maxKeys = plan.budget.maxKeys;
  context.accessDeviations = accessDeviations(plan.name, createdKeys(derived));
  const suppressions = options.sandbox ? [...plan.suppress, ...SANDBOX_SUPPRESSIONS] : plan.suppress;
  try {
    const reviewed = reviewPlan(derived).map((finding) => ({ ...finding, yamlPath: finding.path }));
    return [...evaluate(context, suppressions, undefined, yamlPaths(derived)), ...reviewed];
  } catch (error) {
    if (options.source && error instanceof KeyplaneError) {
      throw new KeyplaneError(error.code, `${options.source}: ${error.message}`);
    }
    throw error;
  }
}

/**
 * The YAML path of a finding's setting: a key's classification fields under `classifications.<name>`, its
 * users under its application, plan-wide lists at the top; the stacks' own monitoring key and monitoring
 * findings point at `monitoring`; a finding about the whole plan names no setting.
 */
function yamlPaths(derived: DerivedPlan): YamlPathOf {
  const byPath = new Map(createdKeys(derived).map((key) => [key.path, key]));
  return (path: string, setting: PlanSetting) => {
    if (setting === "administrators" || setting === "custodians" || setting === "budget.maxKeys")
      return setting;
    const key = byPath.get(path);
    if (setting === "monitoring" || key?.classification === MONITORING_CLASSIFICATION) return "monitoring";
    // A finding about the whole plan (the access matrix not evaluated) has no one setting to point at.
    if (key === undefined) return undefined;
    if (setting === "data") return key.source;
    if (setting === "users") return `applications.${key.application}.users`;
    return `classifications.${key.classification}.${setting}`;
  };
}

/** A derived key as guardrails see it; `monitored`: its stack has the expiry alarms. */
export function guardedKey(key: DerivedKey, monitored: boolean): GuardedKey {
  const guarded: GuardedKey = {
    path: key.path,
    tags: key.tags,
    aliases: [key.alias],
    origin: key.origin,
    autoRotatable: KEY_SPEC_INFO[key.keySpec].autoRotatable,
    deletionWindowDays: key.deletionWindowDays,
    policy: policyForKey(key).document(),
    expiryAlarm: monitored && key.origin === "EXTERNAL",
    monitoringKey: key.classification === MONITORING_CLASSIFICATION,
  };
  if (key.rotationDays !== undefined) guarded.rotationDays = key.rotationDays;
  if (key.materialValidityDays !== undefined) guarded.materialValidityDays = key.materialValidityDays;
  return guarded;
}
