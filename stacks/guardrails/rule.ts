/**
 * Guardrails are pure rules over what the stacks will create (cdk-nag style: one rule, one file). The CLI's
 * `plan lint` runs them without cdktf; the Aspects in aspects.ts run the same rules at synth.
 */
import type { PolicyDocument } from "../policy/document";
import type { Thresholds } from "./profiles";

export type Severity = "error" | "warning";

/** One key as a guardrail sees it. */
export interface GuardedKey {
  /** Construct path `<stack>/<key id>`. */
  path: string;
  tags: Readonly<Record<string, string>>;
  aliases: readonly string[];
  origin: "AWS_KMS" | "EXTERNAL";
  /** Whether KMS can rotate it automatically (symmetric encryption keys). */
  autoRotatable: boolean;
  rotationDays?: number;
  materialValidityDays?: number;
  deletionWindowDays: number;
  policy: PolicyDocument;
  expiryAlarm: boolean;
  /** The stacks' own monitoring key (the budget counts it apart). */
  monitoringKey: boolean;
}

export interface GuardedStack {
  path: string;
  monitoring: boolean;
}

export interface GuardrailContext {
  planName: string;
  knownClassifications: readonly string[];
  thresholds: Thresholds;
  maxKeys?: number;
  stacks: readonly GuardedStack[];
  keys: readonly GuardedKey[];
  /**
   * Where the evaluated key and identity policies depart from the plan's intent (stacks/policy/access.ts);
   * computed from the derived plan, absent when guardrails run over constructs composed by hand.
   */
  accessDeviations?: readonly { path: string; message: string; notEvaluated?: true }[];
}

/**
 * The key plan setting a finding is about, so `plan lint` can name its YAML path beside the construct path:
 * `data` is the key's own entry (`applications.<app>.data.<classification>`), `users` the owning
 * application's users, the classification fields live under `classifications.<name>`.
 */
export type PlanSetting =
  | "data"
  | "users"
  | "administrators"
  | "custodians"
  | "rotationDays"
  | "materialValidityDays"
  | "deletionWindowDays"
  | "monitoring"
  | "budget.maxKeys";

export interface RawFinding {
  path: string;
  message: string;
  fix: string;
  /** Overrides the rule's severity (a profile can make a warning an error). */
  severity?: Severity;
  /** Overrides the rule's setting. */
  setting?: PlanSetting;
}

export interface Rule {
  id: string;
  severity: Severity;
  description: string;
  /** The plan setting its findings are about (a finding may name another). */
  setting: PlanSetting;
  check(context: GuardrailContext): RawFinding[];
}

export interface Finding {
  rule: string;
  severity: Severity;
  /** Construct path `<stack>/<key id>` (or the stack, or the plan's name). */
  path: string;
  /**
   * Where in keyplan.yaml to fix it (`classifications.internal.rotationDays`); only when the findings come
   * from a plan (`plan lint`, synth), not over constructs composed by hand.
   */
  yamlPath?: string;
  message: string;
  fix: string;
  /** The reason given in the plan's `suppress` when the finding is suppressed. */
  suppressed?: string;
}
