import { principalsAllowed } from "../policy-facts";
import type { Rule } from "../rule";

const IMPORT = ["kms:ImportKeyMaterial"];

/**
 * An EXTERNAL key nobody may import material into stays PendingImport forever: the plan forgot its
 * custodians. With iamDelegation the account's IAM policies may name the importers, so that passes.
 */
export const importer: Rule = {
  id: "KP-IMPORTER",
  severity: "error",
  description: "every EXTERNAL key has a principal allowed to import its material (custodians)",
  setting: "custodians",
  check: ({ keys }) =>
    keys
      .filter((key) => key.origin === "EXTERNAL" && principalsAllowed(key.policy, IMPORT).size === 0)
      .map((key) => ({
        path: key.path,
        message: "no principal may import material into this EXTERNAL key: it would stay PendingImport",
        fix: "list the custodians who import material (custodians: [role ARNs]), or set iamDelegation: true",
      })),
};
