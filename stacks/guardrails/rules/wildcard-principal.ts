import { principalsOf } from "../policy-facts";
import type { Rule } from "../rule";

export const wildcardPrincipal: Rule = {
  id: "KP-WILDCARD-PRINCIPAL",
  severity: "error",
  description: 'no Principal "*" without a condition',
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
      })),
    ),
};
