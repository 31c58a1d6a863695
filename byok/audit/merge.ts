/**
 * `keyplane audit merge`: the JSON results of several `--shard I/N` runs as one report, as if one run had
 * read the whole estate. Each file must be an `audit --output json` result (the contract's shape).
 */
import { invalidInput } from "../errors";
import { type AuditError, type Finding, isSeverity } from "./model";
import { type AuditReport, sortErrors, sortFindings } from "./run";

const FINDING_STRINGS = ["rule", "keyArn", "account", "region", "evidence", "fix"] as const;

function finding(value: unknown, where: string): Finding {
  const item = value as Record<string, unknown> | null;
  if (item === null || typeof item !== "object") throw invalidInput(`${where}: expected a finding object`);
  for (const field of FINDING_STRINGS) {
    if (typeof item[field] !== "string") throw invalidInput(`${where}.${field}: expected a string`);
  }
  if (typeof item.severity !== "string" || !isSeverity(item.severity)) {
    throw invalidInput(`${where}.severity: expected low, medium, high or critical`);
  }
  if (!Array.isArray(item.controls) || !item.controls.every((control) => typeof control === "string")) {
    throw invalidInput(`${where}.controls: expected a list of strings`);
  }
  return item as unknown as Finding;
}

function auditError(value: unknown, where: string): AuditError {
  const item = value as Record<string, unknown> | null;
  if (item === null || typeof item !== "object" || typeof item.account !== "string") {
    throw invalidInput(`${where}.account: expected a string`);
  }
  return item as unknown as AuditError;
}

/** Parses one shard's result; `name` (its file) prefixes every error. */
export function parseAuditResult(text: string, name: string): AuditReport {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw invalidInput(`${name}: not JSON (expected keyplane audit --output json)`);
  }
  const report = document as { findings?: unknown; errors?: unknown } | null;
  if (!report || !Array.isArray(report.findings) || !Array.isArray(report.errors)) {
    throw invalidInput(
      `${name}: expected {"findings": [...], "errors": [...]} (keyplane audit --output json)`,
    );
  }
  return {
    findings: report.findings.map((item, index) => finding(item, `${name}: findings[${index}]`)),
    errors: report.errors.map((item, index) => auditError(item, `${name}: errors[${index}]`)),
  };
}

export function mergeAuditResults(reports: readonly AuditReport[]): AuditReport {
  // An account that refuses its role is reported by every shard that needed it: once in the whole report.
  const errors = new Map(
    reports.flatMap((report) => report.errors).map((error) => [JSON.stringify(error), error] as const),
  );
  return {
    findings: sortFindings(reports.flatMap((report) => report.findings)),
    errors: sortErrors([...errors.values()]),
  };
}
