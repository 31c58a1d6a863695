import { CONTROL } from "../controls";
import type { KeyRule } from "../model";
import { accountOfPrincipal, statementsOf } from "../policy-statements";

export const crossAccountUnconditioned: KeyRule = {
  id: "cross-account-unconditioned",
  scope: "key",
  severity: "high",
  description: "The key policy allows principals of another account without a condition.",
  controls: [CONTROL.kms5, CONTROL.pci361],
  check: (key) =>
    statementsOf(key.policy)
      .filter((statement) => statement.effect === "Allow" && !statement.conditioned)
      .flatMap((statement) =>
        statement.principals
          .filter((principal) => {
            const account = accountOfPrincipal(principal);
            return account !== undefined && account !== key.account;
          })
          .map((principal) => ({
            evidence: `statement ${statement.sid ?? "(no Sid)"} allows ${principal} ${statement.actions.join(", ")} with no Condition`,
            fix: "limit the statement with a condition (kms:ViaService, kms:EncryptionContext, aws:PrincipalOrgID) or name the exact role",
          })),
      ),
};
