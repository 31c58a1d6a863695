/**
 * keyplane as a construct library (`import { ... } from "keyplane"`): the key plan loader, the key
 * constructs and the guardrails, for any CDKTF app whose stacks have an AWS provider.
 */
import { loadPlanFile } from "./plan/load";
import type { KeyPlan } from "./plan/schema";

export { KeyplaneError } from "../byok/errors";
export type { KeySpec, KeyUsage } from "../byok/vocabulary/key-specs";
export {
  DELETION_WINDOW_DAYS,
  MATERIAL_VALIDITY_DAYS,
  ROTATION_DAYS,
} from "../byok/vocabulary/kms-limits";
export { TAG } from "../byok/vocabulary/tags";
export { ExternalKey, type ExternalKeyProps } from "./constructs/external-key";
export { KeyBase } from "./constructs/key-base";
export { KeyHierarchy, type KeyHierarchyProps } from "./constructs/key-hierarchy";
export { KeyMonitoring, type KeyMonitoringProps } from "./constructs/key-monitoring";
export type { BaseKeyProps, ReplicaProps } from "./constructs/key-props";
export { ManagedKey, type ManagedKeyProps } from "./constructs/managed-key";
export type { Suppression } from "./guardrails/evaluate";
export { KeyplaneGuardrails, type KeyplaneGuardrailsProps } from "./guardrails/keyplane-guardrails";
export { lintPlan } from "./guardrails/lint-plan";
export type { Finding } from "./guardrails/rule";
export { type DerivedKey, type DerivedPlan, derivePlan, type StackPlan } from "./plan/derive";
export { parsePlan } from "./plan/load";
export type { ComplianceProfile, KeyPlan } from "./plan/schema";
export type { PolicyDocument, PolicyStatement } from "./policy/document";
export { KeyPolicy, type KeyPolicyProps } from "./policy/key-policy";
export type { ServiceId } from "./policy/services";

/**
 * Reads and validates a key plan file (keyplan.yaml, DESIGN.md). Throws a KeyplaneError naming the file and
 * the YAML path of the first problem.
 */
export function loadPlan(file: string): KeyPlan {
  return loadPlanFile(file);
}
