import type { Command } from "commander";
import { WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from "../../byok/vocabulary/wrapping";
import { addRoleOptions, type RoleOptionFlags } from "./byok-script-roles";

export interface CeremonyFlags extends RoleOptionFlags {
  key?: string;
  material?: string;
  component?: string[];
  wrappingAlgorithm?: string;
  wrappingKeySpec?: string;
  expiresIn?: string;
  validTo?: string;
  expiry?: boolean;
  importType?: string;
  description?: string;
  escrowDir?: string;
  escrowShares?: string;
  escrowThreshold?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerCeremony(byok: Command): void {
  addRoleOptions(byok.command("ceremony"))
    .description(
      "guided BYOK ceremony: preflight -> escrow -> params -> wrap -> import -> verify -> journal (rerun to finish an interrupted one)",
    )
    .option(
      "--key <key>",
      "key id, key ARN, alias name or alias ARN (asked: a list of keys needing material)",
    )
    .option("--material <source>", "generate | components | file:PATH | p12:PATH")
    .option("--component <file>", "custodian component file (hex), once per custodian", collect)
    .option("--wrapping-algorithm <alg>", `one of ${WRAPPING_ALGORITHMS.join(", ")} (default: AWS's advice)`)
    .option("--wrapping-key-spec <spec>", `one of ${WRAPPING_KEY_SPECS.join(", ")}`)
    .option("--expires-in <duration>", "material expires this long after import (default: the key's tag)")
    .option("--valid-to <iso>", "material expires at this time (ISO 8601)")
    .option("--no-expiry", "material never expires")
    .option("--import-type <type>", "new or existing (default: new for a key that never had material)")
    .option("--description <text>", "key material description (symmetric keys)")
    .option("--escrow-dir <dir>", "folder for the escrow share files (0600)")
    .option("--escrow-shares <n>", "number of escrow shares")
    .option("--escrow-threshold <m>", "shares needed to recover the material")
    .addHelpText(
      "after",
      "\nEvery prompt is also a flag; --yes skips the final confirmation, --journal FILE keeps the journal.\n" +
        "Without a terminal, a missing flag is an error (exit 2), never a prompt. P12 passwords come from\n" +
        "KEYPLANE_P12_PASSWORD when not asked.",
    )
    .action(async (flags: CeremonyFlags, command: Command) => {
      const { runCeremonyCommand } = await import("./ceremony-action");
      await runCeremonyCommand(flags, command);
    });
}
