import { principalsAllowed } from "../policy-facts";
import type { Rule } from "../rule";

const PUT_KEY_POLICY = ["kms:PutKeyPolicy"];

export const lockout: Rule = {
  id: "KP-LOCKOUT",
  severity: "error",
  description: "every key policy keeps a principal able to kms:PutKeyPolicy",
  check: ({ keys }) =>
    keys
      .filter((key) => principalsAllowed(key.policy, PUT_KEY_POLICY).size === 0)
      .map((key) => ({
        path: key.path,
        message:
          "no principal may change the key policy: the key would be unmanageable (AWS support must recover it)",
        fix: "list at least one administrator (or set iamDelegation: true)",
      })),
};
