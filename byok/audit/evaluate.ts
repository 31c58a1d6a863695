import type { AuditedKey, AuditRule, AuditSettings, EstateSummary, Finding } from "./model";
import { AUDIT_RULES } from "./rules";

/** The findings of every key rule over one key. Pure. */
export function auditKey(
  key: AuditedKey,
  settings: AuditSettings,
  rules: readonly AuditRule[] = AUDIT_RULES,
): Finding[] {
  return rules.flatMap((rule) =>
    rule.scope === "key"
      ? rule.check(key, settings).map((found) => ({
          rule: rule.id,
          severity: rule.severity,
          keyArn: key.arn,
          account: key.account,
          region: key.region,
          evidence: found.evidence,
          fix: found.fix,
          controls: [...rule.controls],
        }))
      : [],
  );
}

/** The findings of every estate rule over one account and Region. Pure. */
export function auditEstate(
  estate: EstateSummary,
  settings: AuditSettings,
  rules: readonly AuditRule[] = AUDIT_RULES,
): Finding[] {
  return rules.flatMap((rule) =>
    rule.scope === "estate"
      ? rule.check(estate, settings).map((found) => ({
          rule: rule.id,
          severity: rule.severity,
          keyArn: found.keyArn,
          account: estate.account,
          region: estate.region,
          evidence: found.evidence,
          fix: found.fix,
          controls: [...rule.controls],
        }))
      : [],
  );
}
