import { principalsOf } from "../policy-facts";
import type { PlanSetting, Rule } from "../rule";

/** Which plan list fills a keyplane statement's Principal (by its Sid). */
function settingOf(sid: string | undefined): PlanSetting {
  if (sid === "KeyAdministrators") return "administrators";
  if (sid?.startsWith("KeyCustodians") || sid === "KeyReaders") return "custodians";
  if (sid?.startsWith("KeyUsers")) return "users";
  return "data";
}

export const wildcardPrincipal: Rule = {
  id: "KP-WILDCARD-PRINCIPAL",
  severity: "error",
  description: 'no Principal "*" without a condition',
  setting: "data",
  check: ({ keys }) =>
    keys.flatMap((key) =>
      key.policy.Statement.filter(
        (statement) =>
          statement.Effect === "Allow" &&
          principalsOf(statement).includes("*") &&
          statement.Condition === undefined,
      ).map((statement) => ({
        path: key.path,
        message: `policy statement ${statement.Sid} allows Principal "*" without a condition`,
        fix: 'name the principals (role ARNs) instead of "*"',
        setting: settingOf(statement.Sid),
      })),
    ),
};
