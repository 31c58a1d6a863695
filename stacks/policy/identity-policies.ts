/**
 * The IAM identity policy each role of a plan needs outside the key policies: the calls that have no key
 * (`ListKeys`, `ListAliases`, `CreateKey`), the alias side of alias operations, and, where a role works on
 * keys in another account (custodians and administrators in decentralized plans, users in centralized ones),
 * the same actions on that account's keys: a cross-account request needs both the key policy and the
 * caller's own IAM policy. Attach each to the role it names (README: "Roles and their IAM policies").
 */
import { KEY_SPEC_INFO } from "../../byok/vocabulary/key-specs";
import type { DerivedKey } from "../plan/derive";
import {
  ADMINISTRATOR_ACTIONS,
  ADMINISTRATOR_ROTATION_ACTION,
  CUSTODIAN_ACTIONS,
  custodianVerifyActions,
  DEPLOYER_ACTIONS,
  GRANT_ACTIONS,
  READER_ACTIONS,
  userActions,
} from "./actions";
import type { PolicyJsonDocument } from "./document";
import { serviceInfo } from "./services";

export type Role = "administrator" | "deployer" | "custodian" | "user";

export interface RoleIdentityPolicy {
  principal: string;
  roles: Role[];
  policy: PolicyJsonDocument;
}

const accountOf = (arn: string) => arn.split(":")[4] ?? "";

interface Grant {
  roles: Set<Role>;
  keyless: Set<string>;
  aliases: Set<string>;
  /** Actions per key ARN pattern, for keys in other accounts. */
  remote: Map<string, Set<string>>;
}

/** One identity policy per principal of the plan, with every role it holds. */
export function identityPolicies(planName: string, keys: readonly DerivedKey[]): RoleIdentityPolicy[] {
  const grants = new Map<string, Grant>();
  const grant = (principal: string, role: Role): Grant => {
    let entry = grants.get(principal);
    if (!entry) {
      entry = { roles: new Set(), keyless: new Set(), aliases: new Set(), remote: new Map() };
      grants.set(principal, entry);
    }
    entry.roles.add(role);
    return entry;
  };
  const remote = (entry: Grant, principal: string, key: DerivedKey, actions: readonly string[]) => {
    if (accountOf(principal) === key.keyAccount) return;
    const pattern = `arn:aws:kms:*:${key.keyAccount}:key/*`;
    const set = entry.remote.get(pattern) ?? new Set<string>();
    for (const action of actions) set.add(action);
    entry.remote.set(pattern, set);
  };
  for (const key of keys) {
    const aliasPattern = `arn:aws:kms:*:${key.keyAccount}:alias/${planName}/*`;
    for (const principal of key.administrators) {
      const entry = grant(principal, "administrator");
      entry.keyless.add("kms:ListKeys").add("kms:ListAliases");
      entry.aliases.add(aliasPattern);
      const actions: string[] = [...ADMINISTRATOR_ACTIONS];
      if (key.origin === "AWS_KMS") actions.push(ADMINISTRATOR_ROTATION_ACTION);
      remote(entry, principal, key, actions);
    }
    for (const principal of key.deployers) {
      const entry = grant(principal, "deployer");
      for (const action of ["kms:CreateKey", "kms:ListKeys", "kms:ListAliases"]) entry.keyless.add(action);
      entry.aliases.add(aliasPattern);
      // CreateKey with Tags needs kms:TagResource from IAM (the key policy does not exist yet).
      const pattern = `arn:aws:kms:*:${key.keyAccount}:key/*`;
      entry.remote.set(pattern, new Set([...(entry.remote.get(pattern) ?? []), "kms:TagResource"]));
      remote(entry, principal, key, DEPLOYER_ACTIONS);
    }
    const symmetric = KEY_SPEC_INFO[key.keySpec].family === "symmetric";
    for (const principal of key.custodians) {
      const entry = grant(principal, "custodian");
      entry.keyless.add("kms:ListKeys").add("kms:ListAliases");
      remote(entry, principal, key, [
        ...CUSTODIAN_ACTIONS,
        ...custodianVerifyActions(key.keyUsage, symmetric),
      ]);
    }
    for (const principal of key.readers) {
      const entry = grant(principal, "custodian");
      entry.keyless.add("kms:ListKeys").add("kms:ListAliases");
      remote(entry, principal, key, READER_ACTIONS);
    }
    for (const principal of key.users) {
      const entry = grant(principal, "user");
      const granting = key.services.some((service) => serviceInfo(service).needsGrants);
      remote(entry, principal, key, [
        ...userActions(key.keyUsage, symmetric),
        ...(granting ? GRANT_ACTIONS : []),
      ]);
    }
  }
  return [...grants.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([principal, entry]) => ({ principal, roles: [...entry.roles].sort(), policy: document(entry) }));
}

function document(entry: Grant): PolicyJsonDocument {
  const statements: PolicyJsonDocument["Statement"] = [];
  if (entry.keyless.size > 0) {
    statements.push({
      Sid: "KeylessKmsCalls",
      Effect: "Allow",
      Action: [...entry.keyless].sort(),
      Resource: "*",
    });
  }
  if (entry.aliases.size > 0) {
    statements.push({
      Sid: "PlanAliases",
      Effect: "Allow",
      Action: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
      Resource: [...entry.aliases].sort(),
    });
  }
  for (const [pattern, actions] of [...entry.remote].sort(([a], [b]) => a.localeCompare(b))) {
    statements.push({
      Sid: `KeysOfAccount${pattern.split(":")[4]}`,
      Effect: "Allow",
      Action: [...actions].sort(),
      Resource: pattern,
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}
