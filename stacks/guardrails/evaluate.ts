import { KeyplaneError } from "../../byok/errors";
import type { Finding, GuardrailContext, PlanSetting, Rule } from "./rule";
import { RULES } from "./rules";

export interface Suppression {
  rule: string;
  /** Construct path; `*` matches any run of characters. */
  path: string;
  reason: string;
}

/** Where a finding's setting lives in the plan, for a finding at a construct path; undefined: unknown. */
export type YamlPathOf = (path: string, setting: PlanSetting) => string | undefined;

/**
 * Runs `rules` and marks the findings a suppression covers (they stay in the report, with the reason).
 * With `yamlPathOf` (findings over a plan), each finding also names the YAML path to fix.
 */
export function evaluate(
  context: GuardrailContext,
  suppressions: readonly Suppression[],
  rules: readonly Rule[] = RULES,
  yamlPathOf?: YamlPathOf,
): Finding[] {
  checkSuppressions(suppressions);
  return rules.flatMap((rule) =>
    rule.check(context).map((raw) => {
      const finding: Finding = {
        rule: rule.id,
        severity: raw.severity ?? rule.severity,
        path: raw.path,
        message: raw.message,
        fix: raw.fix,
      };
      const yamlPath = yamlPathOf?.(raw.path, raw.setting ?? rule.setting);
      if (yamlPath !== undefined) finding.yamlPath = yamlPath;
      const suppression = suppressions.find((s) => s.rule === rule.id && globMatches(s.path, raw.path));
      if (suppression) finding.suppressed = suppression.reason;
      return finding;
    }),
  );
}

export function errorsOf(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => finding.severity === "error" && finding.suppressed === undefined);
}

/** One line per finding, as synth prints them. */
export function formatFinding(finding: Finding): string {
  const state = finding.suppressed === undefined ? finding.severity : `suppressed (${finding.suppressed})`;
  const where = finding.yamlPath === undefined ? finding.path : `${finding.path} (${finding.yamlPath})`;
  return `${state} ${finding.rule} ${where}: ${finding.message} (fix: ${finding.fix})`;
}

function checkSuppressions(suppressions: readonly Suppression[]): void {
  const known = RULES.map((rule) => rule.id);
  for (const [index, suppression] of suppressions.entries()) {
    if (!known.includes(suppression.rule)) {
      throw new KeyplaneError(
        "PLAN",
        `suppress[${index}].rule: unknown rule '${suppression.rule}' (known: ${known.join(", ")})`,
      );
    }
  }
}

function globMatches(pattern: string, path: string): boolean {
  const expression = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${expression}$`).test(path);
}
