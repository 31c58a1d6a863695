/**
 * Compliance profiles: packs of thresholds. `baseline` always applies; each listed profile can only tighten
 * it. The values are keyplane's reading of each framework's key-management controls, not legal advice.
 */
import type { ComplianceProfile } from "../plan/schema";

export interface Thresholds {
  maxRotationDays: number;
  maxMaterialValidityDays: number;
  minDeletionWindowDays: number;
  monitoringRequired: boolean;
}

export const PROFILES: Readonly<Record<ComplianceProfile, Thresholds>> = {
  baseline: {
    maxRotationDays: 730,
    maxMaterialValidityDays: 730,
    minDeletionWindowDays: 7,
    monitoringRequired: false,
  },
  // PCI DSS 3.6.4: cryptoperiods defined and enforced; 10.x: audit trails of key use.
  "pci-dss": {
    maxRotationDays: 365,
    maxMaterialValidityDays: 365,
    minDeletionWindowDays: 30,
    monitoringRequired: true,
  },
  hipaa: {
    maxRotationDays: 365,
    maxMaterialValidityDays: 365,
    minDeletionWindowDays: 30,
    monitoringRequired: true,
  },
  // NIST SP 800-57 cryptoperiods as FedRAMP Moderate's SC-12 applies them.
  "fedramp-moderate": {
    maxRotationDays: 365,
    maxMaterialValidityDays: 180,
    minDeletionWindowDays: 30,
    monitoringRequired: true,
  },
  // CIS AWS Foundations 3.x: rotation enabled, CloudTrail on everywhere.
  "cis-aws": {
    maxRotationDays: 365,
    maxMaterialValidityDays: 365,
    minDeletionWindowDays: 7,
    monitoringRequired: true,
  },
};

/** The tightest thresholds of baseline and every listed profile. */
export function thresholdsFor(profiles: readonly ComplianceProfile[]): Thresholds {
  return [...new Set<ComplianceProfile>(["baseline", ...profiles])]
    .map((name) => PROFILES[name])
    .reduce((a, b) => ({
      maxRotationDays: Math.min(a.maxRotationDays, b.maxRotationDays),
      maxMaterialValidityDays: Math.min(a.maxMaterialValidityDays, b.maxMaterialValidityDays),
      minDeletionWindowDays: Math.max(a.minDeletionWindowDays, b.minDeletionWindowDays),
      monitoringRequired: a.monitoringRequired || b.monitoringRequired,
    }));
}
