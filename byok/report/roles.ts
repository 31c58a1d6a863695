/**
 * The people of a ceremony: who operates, which custodians hold a component (in component order), who
 * witnesses, and the change ticket. Names are journaled comma-joined, so a name may not hold a comma.
 */

import { KeyplaneError } from "../errors";

export interface CeremonyRoles {
  operator?: string;
  /** In component order: custodian i entered component i. */
  custodians: string[];
  witnesses: string[];
  ticket?: string;
}

export interface RoleFlags {
  operator?: string;
  custodian?: string[];
  witness?: string[];
  ticket?: string;
}

export const NO_ROLES: CeremonyRoles = { custodians: [], witnesses: [] };

export function hasRoles(roles: CeremonyRoles): boolean {
  return (
    roles.operator !== undefined ||
    roles.ticket !== undefined ||
    roles.custodians.length > 0 ||
    roles.witnesses.length > 0
  );
}

/** A name or ticket as given, checked: one line, no comma, at most 120 characters. */
export function roleName(value: string, field: string): string {
  const name = value.trim();
  if (name === "" || name.length > 120 || /[,\n\r\t]/.test(name)) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${field}: '${value.slice(0, 40)}' must be one line of 1 to 120 characters without commas`,
    );
  }
  return name;
}

export function rolesFromFlags(flags: RoleFlags): CeremonyRoles {
  const names = (values: readonly string[] | undefined, field: string) =>
    (values ?? []).map((value) => roleName(value, field));
  const custodians = names(flags.custodian, "--custodian");
  const witnesses = names(flags.witness, "--witness");
  const operator = flags.operator === undefined ? undefined : roleName(flags.operator, "--operator");
  const ticket = flags.ticket === undefined ? undefined : roleName(flags.ticket, "--ticket");
  return checked({
    custodians,
    witnesses,
    ...(operator === undefined ? {} : { operator }),
    ...(ticket === undefined ? {} : { ticket }),
  });
}

/** A roles file: `operator: NAME`, `custodians: [NAME, ...]`, `witnesses: [NAME, ...]`, `ticket: ID`. */
export function parseRoles(text: string, file: string): CeremonyRoles {
  let document: unknown;
  try {
    // Loaded here, not at the top: the CLI registers the ceremony's flags from this module, and `--help`
    // must not pay for a YAML parser.
    const { parse } = require("yaml") as typeof import("yaml");
    document = parse(text);
  } catch (error) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${file}: not YAML (${(error as Error).message.split("\n")[0]})`,
    );
  }
  if (!document || typeof document !== "object" || Array.isArray(document)) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${file}: expected a mapping with operator, custodians, witnesses, ticket`,
    );
  }
  const fields = document as Record<string, unknown>;
  const unknown = Object.keys(fields).find(
    (name) => !["operator", "custodians", "witnesses", "ticket"].includes(name),
  );
  if (unknown) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${file}: unknown field '${unknown}' (known: operator, custodians, witnesses, ticket)`,
    );
  }
  const one = (name: string): string | undefined => {
    const value = fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" && typeof value !== "number") {
      throw new KeyplaneError("INVALID_INPUT", `${file}: ${name} must be a name`);
    }
    return roleName(String(value), `${file}: ${name}`);
  };
  const list = (name: string): string[] => {
    const value = fields[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
      throw new KeyplaneError("INVALID_INPUT", `${file}: ${name} must be a list of names`);
    }
    return value.map((item: string, i) => roleName(item, `${file}: ${name}[${i}]`));
  };
  const operator = one("operator");
  const ticket = one("ticket");
  return checked({
    custodians: list("custodians"),
    witnesses: list("witnesses"),
    ...(operator === undefined ? {} : { operator }),
    ...(ticket === undefined ? {} : { ticket }),
  });
}

/** Dual control means different people: an operator or custodian cannot witness themselves. */
function checked(roles: CeremonyRoles): CeremonyRoles {
  const doers = new Set([...(roles.operator ? [roles.operator] : []), ...roles.custodians]);
  const self = roles.witnesses.find((witness) => doers.has(witness));
  if (self) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `--witness: '${self}' also operates or holds a component; a witness must be someone else`,
    );
  }
  const twice = roles.custodians.find((name, i) => roles.custodians.indexOf(name) !== i);
  if (twice) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `--custodian: '${twice}' is named twice; each component needs its own custodian`,
    );
  }
  return roles;
}

/** The begin record's role facts (names and the ticket only). */
export function roleFields(roles: CeremonyRoles): Record<string, string> {
  return {
    ...(roles.operator ? { operator: roles.operator } : {}),
    ...(roles.ticket ? { ticket: roles.ticket } : {}),
    ...(roles.custodians.length > 0 ? { custodians: roles.custodians.join(",") } : {}),
    ...(roles.witnesses.length > 0 ? { witnesses: roles.witnesses.join(",") } : {}),
  };
}
