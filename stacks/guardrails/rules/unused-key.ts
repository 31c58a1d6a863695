import { CRYPTOGRAPHIC_ACTIONS, isVerifyOnly } from "../../policy/actions";
import { principalsAllowed } from "../policy-facts";
import type { Rule } from "../rule";

/** Cryptographic actions plus the read-only halves (Verify, VerifyMac) that also count as use. */
const USE = [...CRYPTOGRAPHIC_ACTIONS, "kms:Verify", "kms:VerifyMac"];

export const unusedKey: Rule = {
  id: "KP-UNUSED-KEY",
  severity: "warning",
  description: "every key has someone who can use it (over-complication)",
  setting: "users",
  check: ({ keys }) =>
    keys
      .filter((key) => {
        // The custodians' verify statement proves an import; it is no use of the key for data.
        const statements = key.policy.Statement.filter((statement) => !isVerifyOnly(statement));
        return principalsAllowed({ ...key.policy, Statement: statements }, USE).size === 0;
      })
      .map((key) => ({
        path: key.path,
        message: "no principal may use this key: it costs money and protects nothing",
        fix: "list the application's users, or drop the classification from its data",
      })),
};
