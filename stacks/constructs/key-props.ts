import type { TerraformProvider } from "cdktf";
import { KeyplaneError } from "../../byok/errors";
import { DELETION_WINDOW_DAYS, withinDays } from "../../byok/vocabulary/kms-limits";
import type { GuardedKey } from "../guardrails/rule";
import type { PolicyDocument } from "../policy/document";
import { KeyPolicy } from "../policy/key-policy";

/** Props both key constructs share. */
export interface BaseKeyProps {
  /** Shown in the console and by DescribeKey; set explicitly so Terraform never sees drift. */
  description: string;
  /** The key policy: a KeyPolicy (rendered once, read by guardrails as is) or its literal JSON. */
  policy: KeyPolicy | string;
  /** Tags; keyplane's CLI and guardrails read the tag contract (`keyplane:*`, DESIGN.md). @default none */
  tags?: Record<string, string>;
  /** Alias names, `alias/...`. @default none */
  aliases?: string[];
  /** KMS waits this long before deleting the key (7-30 days). @default 30 */
  deletionWindowDays?: number;
  /** Replicas of this multi-Region key, one per provider in another region. @default none */
  replicas?: ReplicaProps[];
  /**
   * Attach the policy as its own `aws_kms_key_policy` resource instead of the key's `policy` argument. A
   * policy that names principals created in the same apply (whose own policies name the key) then no longer
   * forms a dependency loop: key, then principals, then the key policy.
   * @default false
   */
  policyAsResource?: boolean;
}

export interface ReplicaProps {
  region: string;
  /** The aliased provider of the replica's region. */
  provider: TerraformProvider;
  /** The replica's own policy (ViaService names are regional). */
  policy: string;
}

/** The view guardrail aspects take of a key construct. */
export interface GuardedKeySource {
  guardedKey(): GuardedKey;
}

export function isGuardedKeySource(node: unknown): node is GuardedKeySource {
  return typeof (node as Partial<GuardedKeySource>).guardedKey === "function";
}

export function checkDeletionWindow(construct: string, days: number): number {
  if (!withinDays(days, DELETION_WINDOW_DAYS)) {
    throw new KeyplaneError(
      "PLAN",
      `${construct}: deletionWindowDays must be a whole number from ${DELETION_WINDOW_DAYS.min} to ${DELETION_WINDOW_DAYS.max}, got ${days}`,
    );
  }
  return days;
}

export function checkAlias(construct: string, alias: string): string {
  if (!/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(alias) || alias.startsWith("alias/aws/")) {
    throw new KeyplaneError(
      "PLAN",
      `${construct}: alias must be alias/<name> (letters, digits, / _ -, not alias/aws/), got '${alias}'`,
    );
  }
  return alias;
}

/** The literal JSON string `policy` takes in Terraform. */
export function policyJson(policy: KeyPolicy | string): string {
  return policy instanceof KeyPolicy ? policy.render() : policy;
}

/** The policy as guardrails read it. */
export function policyDocument(policy: KeyPolicy | string): PolicyDocument {
  return policy instanceof KeyPolicy ? policy.document() : (JSON.parse(policy) as PolicyDocument);
}
