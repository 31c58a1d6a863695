/**
 * The audit's model: what is read of one existing key, and what a rule reports about it. Rules are pure
 * functions over `AuditedKey` (one rule, one file, as stacks/guardrails/rules); reading lives in read.ts.
 */
import type { GrantListEntry, KeyMetadata } from "@aws-sdk/client-kms";
import type { ObservedMaterial } from "../expiry/scan";
import type { PolicyJson } from "../vocabulary/policy-evaluation";

/** Ordered from least to most severe; `--fail-on` compares by this order. */
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** Whether `severity` is at or above `threshold`. */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(threshold);
}

/** GetKeyLastUsage: the last successful cryptographic operation, and since when KMS tracks it. */
export interface KeyLastUse {
  at?: Date;
  operation?: string;
  trackingStartedAt?: Date;
}

/** One customer managed key, as read from KMS for the audit. */
export interface AuditedKey {
  account: string;
  region: string;
  arn: string;
  metadata: KeyMetadata;
  /** Every tag of the key, by tag key. */
  tags: Readonly<Record<string, string>>;
  /** Alias names (`alias/...`), sorted. */
  aliases: readonly string[];
  /** The key policy named `default`, parsed; undefined when it could not be read. */
  policy: PolicyJson | undefined;
  grants: readonly GrantListEntry[];
  /** GetKeyRotationStatus; undefined for keys KMS cannot rotate automatically. */
  rotation: { enabled: boolean; periodDays?: number } | undefined;
  /** Every imported material (EXTERNAL keys); empty for others. */
  materials: readonly ObservedMaterial[];
  lastUse: KeyLastUse | undefined;
  /** KMS's time when the key was read (the sandbox's clock can be moved). */
  observedAt: Date;
}

export interface AuditSettings {
  /** Imported material expiring within this many days is reported. */
  expiringWithinDays: number;
  /** A key with no cryptographic use for this many days is reported. */
  unusedDays: number;
  /** Rotation period allowed when the key carries no keyplane:rotation-days tag. */
  maxRotationDays: number;
  /** Customer managed keys allowed per account and Region (`--budget`). */
  budget?: number;
}

/** What a rule reports, before the rule's id, severity and controls are attached. */
export interface RuleFinding {
  evidence: string;
  fix: string;
}

interface RuleBase {
  /** Stable id (a contract: scripts read it; never renamed). */
  id: string;
  severity: Severity;
  description: string;
  /** Controls the rule evidences (Security Hub, PCI DSS v4.0, NIST SP 800-57 Part 1). */
  controls: readonly string[];
}

export interface KeyRule extends RuleBase {
  scope: "key";
  check(key: AuditedKey, settings: AuditSettings): RuleFinding[];
}

/** What an estate rule sees of one account and Region: counts, so keys need not be kept in memory. */
export interface EstateSummary {
  account: string;
  region: string;
  keyCount: number;
}

/** A rule over one account and Region as a whole. */
export interface EstateRule extends RuleBase {
  scope: "estate";
  check(estate: EstateSummary, settings: AuditSettings): (RuleFinding & { keyArn: string })[];
}

export type AuditRule = KeyRule | EstateRule;

/** One finding, in the JSON contract of `keyplane audit --output json`. */
export interface Finding {
  rule: string;
  severity: Severity;
  keyArn: string;
  account: string;
  region: string;
  evidence: string;
  fix: string;
  controls: string[];
}

/** An account or account-Region the audit could not read; the others still finish. */
export interface AuditError {
  account: string;
  region?: string;
  /** The role assumed, when there was one. */
  roleArn?: string;
  error: string;
  message: string;
}
