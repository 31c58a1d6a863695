import { CONTROL } from "../controls";
import type { KeyRule } from "../model";
import { statementsOf } from "../policy-statements";

export const wildcardPrincipal: KeyRule = {
  id: "wildcard-principal",
  scope: "key",
  severity: "critical",
  description: "The key policy allows any principal (`*`) without a condition: the key is public.",
  controls: [CONTROL.kms5, CONTROL.pci361],
  check: (key) =>
    statementsOf(key.policy)
      .filter((statement) => statement.effect === "Allow" && !statement.conditioned)
      .filter((statement) => statement.principals.includes("*"))
      .map((statement) => ({
        evidence: `statement ${statement.sid ?? "(no Sid)"} allows Principal * ${statement.actions.join(", ")} with no Condition`,
        fix: "name the principals, or add a condition (aws:PrincipalOrgID, kms:CallerAccount, kms:ViaService)",
      })),
};
