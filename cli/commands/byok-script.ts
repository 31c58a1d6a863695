import type { Command } from "commander";
import type { ImportKind } from "../../byok/import/import-material";
import type { WrappingAlgorithm, WrappingKeySpec } from "../../byok/vocabulary/wrapping";
import {
  expiresInOption,
  importTypeOption,
  keyOption,
  sharesOption,
  validToOption,
  wrappingAlgorithmOption,
  wrappingKeySpecOption,
} from "../flags";
import { addRoleOptions, type RoleOptionFlags } from "./byok-script-roles";

export interface ScriptFlags extends RoleOptionFlags {
  out: string;
  key: string;
  material?: string;
  wrappingAlgorithm?: WrappingAlgorithm;
  wrappingKeySpec?: WrappingKeySpec;
  expiresIn?: string;
  validTo?: string;
  expiry?: boolean;
  importType?: ImportKind;
  escrowDir?: string;
  escrowShares: number;
  escrowThreshold: number;
}

export function registerByokScript(byok: Command): void {
  addRoleOptions(byok.command("script"))
    .description(
      "printable ceremony script: key facts from KMS, prerequisites, steps to tick, values to record, sign-off",
    )
    .requiredOption("--out <file>", "FILE.html or FILE.pdf (PDF needs Chromium)")
    .addOption(keyOption().makeOptionMandatory())
    .option("--material <source>", "generate | components | file:PATH | p12:PATH", "generate")
    .addOption(wrappingAlgorithmOption("wrapping algorithm (default: AWS's advice)"))
    .addOption(wrappingKeySpecOption())
    .addOption(expiresInOption("material expires this long after import (default: the key's tag)"))
    .addOption(validToOption())
    .option("--no-expiry", "material never expires")
    .addOption(importTypeOption("new or existing (default: new for a key that never had material)"))
    .option("--escrow-dir <dir>", "folder for the escrow share files", "escrow")
    .addOption(sharesOption("--escrow-shares <n>", "number of escrow shares (2-255)", 3))
    .addOption(sharesOption("--escrow-threshold <m>", "shares needed to recover the material (2-N)", 2))
    .action(async (flags: ScriptFlags, command: Command) => {
      const { runScriptCommand } = await import("./byok-script-action");
      await runScriptCommand(flags, command);
    });
}
