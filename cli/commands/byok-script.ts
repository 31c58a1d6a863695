import type { Command } from "commander";
import { WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from "../../byok/vocabulary/wrapping";
import { addRoleOptions, type RoleOptionFlags } from "./byok-script-roles";

export interface ScriptFlags extends RoleOptionFlags {
  out: string;
  key: string;
  material?: string;
  wrappingAlgorithm?: string;
  wrappingKeySpec?: string;
  expiresIn?: string;
  validTo?: string;
  expiry?: boolean;
  importType?: string;
  escrowDir?: string;
  escrowShares?: string;
  escrowThreshold?: string;
}

export function registerByokScript(byok: Command): void {
  addRoleOptions(byok.command("script"))
    .description(
      "printable ceremony script: key facts from KMS, prerequisites, steps to tick, values to record, sign-off",
    )
    .requiredOption("--out <file>", "FILE.html or FILE.pdf (PDF needs Chromium)")
    .requiredOption("--key <key>", "key id, key ARN, alias name or alias ARN")
    .option("--material <source>", "generate | components | file:PATH | p12:PATH", "generate")
    .option("--wrapping-algorithm <alg>", `one of ${WRAPPING_ALGORITHMS.join(", ")} (default: AWS's advice)`)
    .option("--wrapping-key-spec <spec>", `one of ${WRAPPING_KEY_SPECS.join(", ")}`)
    .option("--expires-in <duration>", "material expires this long after import (default: the key's tag)")
    .option("--valid-to <iso>", "material expires at this time (ISO 8601)")
    .option("--no-expiry", "material never expires")
    .option("--import-type <type>", "new or existing (default: new for a key that never had material)")
    .option("--escrow-dir <dir>", "folder for the escrow share files", "escrow")
    .option("--escrow-shares <n>", "number of escrow shares", "3")
    .option("--escrow-threshold <m>", "shares needed to recover the material", "2")
    .action(async (flags: ScriptFlags, command: Command) => {
      const { runScriptCommand } = await import("./byok-script-action");
      await runScriptCommand(flags, command);
    });
}
