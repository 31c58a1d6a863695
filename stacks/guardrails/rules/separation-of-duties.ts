import { CRYPTOGRAPHIC_ACTIONS, isVerifyOnly } from "../../policy/actions";
import { principalsAllowed } from "../policy-facts";
import type { Rule } from "../rule";

const MANAGEMENT = ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey"];
const IMPORT = ["kms:ImportKeyMaterial", "kms:DeleteImportedKeyMaterial"];

/**
 * Administrators, custodians and users are different principals. The account root (iamDelegation) is left
 * out: with it, separation is IAM's job.
 */
export const separationOfDuties: Rule = {
  id: "KP-SEPARATION-OF-DUTIES",
  severity: "error",
  description: "administrators, custodians and users are disjoint",
  setting: "users",
  check: ({ keys }) =>
    keys.flatMap((key) => {
      const roles = {
        administrator: principalsAllowed(key.policy, MANAGEMENT),
        custodian: principalsAllowed(key.policy, IMPORT),
        // The custodians' verify statement is bound to an encryption context no data carries: not use.
        user: principalsAllowed(
          { ...key.policy, Statement: key.policy.Statement.filter((statement) => !isVerifyOnly(statement)) },
          CRYPTOGRAPHIC_ACTIONS,
        ),
      };
      const names = Object.keys(roles) as (keyof typeof roles)[];
      const findings = [];
      for (const [i, first] of names.entries()) {
        for (const second of names.slice(i + 1)) {
          for (const principal of roles[first]) {
            if (principal.endsWith(":root") || !roles[second].has(principal)) continue;
            findings.push({
              path: key.path,
              message: `${principal} is both ${first} and ${second}`,
              fix: `use separate roles for ${first}s and ${second}s`,
              setting: second === "user" ? ("users" as const) : ("custodians" as const),
            });
          }
        }
      }
      return findings;
    }),
};
