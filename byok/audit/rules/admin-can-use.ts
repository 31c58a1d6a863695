import { CONTROL } from "../controls";
import type { AuditedKey, KeyRule } from "../model";
import { allowsAny, statementsOf } from "../policy-statements";

/** Actions that change who controls the key or whether it exists. */
const ADMIN_ACTIONS = [
  "kms:PutKeyPolicy",
  "kms:ScheduleKeyDeletion",
  "kms:DisableKey",
  "kms:CreateGrant",
  "kms:ImportKeyMaterial",
  "kms:DeleteImportedKeyMaterial",
];
/** Actions that use the key on data. */
const USE_ACTIONS = [
  "kms:Decrypt",
  "kms:Encrypt",
  "kms:ReEncryptFrom",
  "kms:GenerateDataKey",
  "kms:Sign",
  "kms:GenerateMac",
  "kms:DeriveSharedSecret",
];
/** Grant operations that use a key. */
const USE_OPERATIONS = new Set(USE_ACTIONS.map((action) => action.slice("kms:".length)));

/**
 * The account root is left out: naming it delegates to the account's IAM policies (AWS's default key
 * policy), which the key policy alone cannot judge.
 */
function isAccountRoot(principal: string): boolean {
  return /^\d{12}$/.test(principal) || /:root$/.test(principal);
}

function principalsAllowed(key: AuditedKey, actions: readonly string[]): Set<string> {
  const named = statementsOf(key.policy)
    .filter((statement) => allowsAny(statement, actions))
    .flatMap((statement) => statement.principals);
  return new Set(named.filter((principal) => principal !== "*" && !isAccountRoot(principal)));
}

export const adminCanUse: KeyRule = {
  id: "admin-can-use",
  scope: "key",
  severity: "high",
  description: "A principal can both administer the key and use it on data: no separation of duties.",
  controls: [CONTROL.pci361, CONTROL.pci376],
  check(key) {
    const admins = principalsAllowed(key, ADMIN_ACTIONS);
    const users = principalsAllowed(key, USE_ACTIONS);
    for (const grant of key.grants) {
      const uses = (grant.Operations ?? []).some((operation) => USE_OPERATIONS.has(operation));
      if (uses && grant.GranteePrincipal) users.add(grant.GranteePrincipal);
    }
    return [...admins]
      .filter((principal) => users.has(principal))
      .sort()
      .map((principal) => ({
        evidence: `${principal} may administer the key (${ADMIN_ACTIONS.join("|")}) and use it (${USE_ACTIONS.join("|")})`,
        fix: "split the role: administrators manage the key, other roles use it",
      }));
  },
};
