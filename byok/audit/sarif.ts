/**
 * SARIF 2.1.0 for code-scanning dashboards: one run, the rules as the tool's rules (with their controls as
 * tags), each finding a result located at its key ARN. Typed with the SARIF object model of @types/sarif.
 * https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */
import type { Log, ReportingDescriptor, Result } from "sarif";
import type { AuditRule, Severity } from "./model";
import type { AuditReport } from "./run";

const LEVEL: Record<Severity, Result.level> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
};

/** GitHub code scanning ranks results by this property (0.0–10.0). */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
};

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

export function toSarif(report: AuditReport, rules: readonly AuditRule[], version: string): Log {
  const descriptors: ReportingDescriptor[] = rules.map((rule) => ({
    id: rule.id,
    name: rule.id,
    shortDescription: { text: rule.description },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ["security", ...rule.controls],
      "security-severity": SECURITY_SEVERITY[rule.severity],
    },
  }));
  const results: Result[] = report.findings.map((finding) => ({
    ruleId: finding.rule,
    ruleIndex: rules.findIndex((rule) => rule.id === finding.rule),
    level: LEVEL[finding.severity],
    message: { text: `${finding.evidence}. Fix: ${finding.fix}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: finding.keyArn } },
        logicalLocations: [{ fullyQualifiedName: finding.keyArn, kind: "resource" }],
      },
    ],
    partialFingerprints: { keyRule: `${finding.keyArn}|${finding.rule}` },
    properties: { account: finding.account, region: finding.region, controls: finding.controls },
  }));
  return {
    version: "2.1.0",
    $schema: SARIF_SCHEMA,
    runs: [
      {
        tool: { driver: { name: "keyplane audit", version, rules: descriptors } },
        results,
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: report.errors.map((error) => ({
              level: "error" as const,
              message: {
                text: `${error.account}${error.region ? ` ${error.region}` : ""}: ${error.error}: ${error.message}`,
              },
            })),
          },
        ],
      },
    ],
  };
}
