import { type Command, Option } from "commander";
import { checkInputFile } from "../../byok/files/read-bounded";
import type { ImportKind } from "../../byok/import/import-material";
import type { WrappingAlgorithm, WrappingKeySpec } from "../../byok/vocabulary/wrapping";
import {
  expiresInOption,
  importTypeOption,
  inputFileOption,
  keyOption,
  outputDirOption,
  sharesOption,
  validToOption,
  wrappingAlgorithmOption,
  wrappingKeySpecOption,
} from "../flags";
import { addRoleOptions, type RoleOptionFlags } from "./byok-script-roles";

export interface CeremonyFlags extends RoleOptionFlags {
  key?: string;
  material?: string;
  component?: string[];
  wrappingAlgorithm?: WrappingAlgorithm;
  wrappingKeySpec?: WrappingKeySpec;
  expiresIn?: string;
  validTo?: string;
  expiry?: boolean;
  importType?: ImportKind;
  description?: string;
  escrowDir?: string;
  escrowShares?: number;
  escrowThreshold?: number;
  passphraseFile?: string[];
}

export function registerCeremony(byok: Command): void {
  addRoleOptions(byok.command("ceremony"))
    .description(
      "guided BYOK ceremony: preflight -> escrow -> params -> wrap -> import -> verify -> journal (rerun to finish an interrupted one)",
    )
    .addOption(keyOption("key id, key ARN, alias name or alias ARN (asked: a list of keys needing material)"))
    .addOption(materialSourceOption())
    .addOption(
      inputFileOption(
        "--component <file>",
        "custodian component file (hex), once per custodian",
        "material",
        {
          repeatable: true,
        },
      ),
    )
    .addOption(wrappingAlgorithmOption("wrapping algorithm (default: AWS's advice)"))
    .addOption(wrappingKeySpecOption())
    .addOption(expiresInOption("material expires this long after import (default: the key's tag)"))
    .addOption(validToOption())
    .option("--no-expiry", "material never expires")
    .addOption(importTypeOption("new or existing (default: new for a key that never had material)"))
    .option("--description <text>", "key material description (symmetric keys)")
    .addOption(outputDirOption("--escrow-dir <dir>", "folder for the escrow share files (0600)"))
    .addOption(
      sharesOption("--escrow-shares <n>", "number of escrow shares (2-255; default 3, as rotation apply)"),
    )
    .addOption(
      sharesOption("--escrow-threshold <m>", "shares needed to recover the material (2-N; default 2)"),
    )
    .addOption(
      inputFileOption(
        "--passphrase-file <files...>",
        "seal escrow share i under the passphrase in the i-th file (one per share; list them or repeat the flag)",
        "passphrase",
      ),
    )
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

/** `--material generate | components | file:PATH | p12:PATH`: a named file is checked like any input file. */
function materialSourceOption(): Option {
  return new Option("--material <source>", "generate | components | file:PATH | p12:PATH").argParser(
    (text: string) => {
      const path = /^(?:file|p12):(.+)$/.exec(text)?.[1];
      if (path !== undefined) checkInputFile(path, { field: "--material", kind: "material" });
      return text;
    },
  );
}
