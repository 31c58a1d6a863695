import type { AuditedKey } from "../model";

/** What still points at a key: its aliases and grants. */
export function references(key: AuditedKey): string[] {
  return [
    ...key.aliases.map((alias) => `alias ${alias}`),
    ...key.grants.map((grant) => `grant ${grant.GrantId ?? ""} (${grant.GranteePrincipal ?? "?"})`),
  ];
}
