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
  /** The stacks' own monitoring key: not counted against the budget. */
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

export interface RawFinding {
  path: string;
  message: string;
  fix: string;
  /** Overrides the rule's severity (a profile can make a warning an error). */
  severity?: Severity;
}

export interface Rule {
  id: string;
  severity: Severity;
  description: string;
  check(context: GuardrailContext): RawFinding[];
}

export interface Finding {
  rule: string;
  severity: Severity;
  path: string;
  message: string;
  fix: string;
  /** The reason given in the plan's `suppress` when the finding is suppressed. */
  suppressed?: string;
}
