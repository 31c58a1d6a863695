/** The role flags shared by `byok script` and `byok ceremony`, and the prompts that stand in for them. */

import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { KeyplaneError, usageError } from "../../byok/errors";
import {
  type CeremonyRoles,
  hasRoles,
  parseRoles,
  type RoleFlags,
  roleName,
  rolesFromFlags,
} from "../../byok/report/roles";
import type { Ask } from "../prompts/ask";

export interface RoleOptionFlags extends RoleFlags {
  roles?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addRoleOptions(command: Command): Command {
  return command
    .option("--operator <name>", "who operates the ceremony")
    .option("--custodian <name>", "a custodian, once each, in component order", collect)
    .option("--witness <name>", "a witness, once each", collect)
    .option("--ticket <id>", "change ticket id")
    .option(
      "--roles <file>",
      "YAML: operator, custodians: [..], witnesses: [..], ticket (instead of the flags)",
    );
}

/** The roles given on the command line (flags or a --roles file, not both); empty when none. */
export function givenRoles(flags: RoleOptionFlags): CeremonyRoles {
  const fromFlags = rolesFromFlags(flags);
  if (flags.roles === undefined) return fromFlags;
  if (hasRoles(fromFlags)) {
    throw usageError("--roles: give a roles file or --operator/--custodian/--witness/--ticket, not both");
  }
  let text: string;
  try {
    text = readFileSync(flags.roles, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new KeyplaneError(
      "FILE",
      code === "ENOENT"
        ? `--roles: ${flags.roles}: no such file`
        : `--roles: ${flags.roles}: cannot read (${code ?? "error"})`,
      { cause: error },
    );
  }
  return parseRoles(text, flags.roles);
}

/** At a terminal, asks for the roles that were not given; empty answers leave a role unrecorded. */
export async function askMissingRoles(ask: Ask, roles: CeremonyRoles): Promise<CeremonyRoles> {
  if (!ask.interactive || hasRoles(roles)) return roles;
  const names = (answer: string, field: string) =>
    answer
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name !== "")
      .map((name) => roleName(name, field));
  const valid = (field: string) => (answer: string) => {
    try {
      names(answer, field);
      return true;
    } catch (error) {
      return error instanceof Error ? error.message : "names separated by commas";
    }
  };
  const operator = names(
    await ask.input("--operator", "Operator (empty: not recorded)", {
      initial: "",
      validate: valid("--operator"),
    }),
    "--operator",
  )[0];
  const custodians = names(
    await ask.input("--custodian", "Custodians, in component order, comma-separated (empty: not recorded)", {
      initial: "",
      validate: valid("--custodian"),
    }),
    "--custodian",
  );
  const witnesses = names(
    await ask.input("--witness", "Witnesses, comma-separated (empty: none)", {
      initial: "",
      validate: valid("--witness"),
    }),
    "--witness",
  );
  const ticket = names(
    await ask.input("--ticket", "Change ticket (empty: none)", { initial: "", validate: valid("--ticket") }),
    "--ticket",
  )[0];
  return rolesFromFlags({
    custodian: custodians,
    witness: witnesses,
    ...(operator === undefined ? {} : { operator }),
    ...(ticket === undefined ? {} : { ticket }),
  });
}
