import { DEPLOYER_SID } from "../../policy/actions";
import { principalsAllowed } from "../policy-facts";
import type { Rule } from "../rule";

const PUT_KEY_POLICY = ["kms:PutKeyPolicy"];

export const lockout: Rule = {
  id: "KP-LOCKOUT",
  severity: "error",
  description: "every key policy keeps a principal besides the deploy role able to kms:PutKeyPolicy",
  setting: "administrators",
  // The deploy role passes AWS's own lockout check, but it is a pipeline: without an administrator (or the
  // account root), a broken pipeline leaves nobody to repair the policy but AWS support.
  check: ({ keys }) =>
    keys
      .filter((key) => {
        const statements = key.policy.Statement.filter((statement) => statement.Sid !== DEPLOYER_SID);
        return principalsAllowed({ ...key.policy, Statement: statements }, PUT_KEY_POLICY).size === 0;
      })
      .map((key) => ({
        path: key.path,
        message:
          "no principal but the deploy role may change the key policy: if the pipeline breaks, the key is unmanageable (AWS support must recover it)",
        fix: "list at least one administrator (or set iamDelegation: true)",
      })),
};
