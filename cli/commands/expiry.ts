import type { Command } from "commander";
import {
  expiresInOption,
  inputFileOption,
  keyOption,
  planNameOption,
  regionsOption,
  validToOption,
  withinOption,
} from "../flags";

export interface ExpiryFlags {
  within: string;
  regions?: string;
  plan?: string;
  report?: string;
}

export interface RenewFlags {
  key?: string;
  escrowDir?: string;
  share?: string[];
  passphraseFile?: string[];
  expiresIn?: string;
  validTo?: string;
  expiry?: boolean;
}

export function registerExpiry(program: Command): void {
  const expiry = program
    .command("expiry")
    .description("imported key material expiring within a threshold (exit 3 when any)")
    .addOption(withinOption("warning threshold", "30d"))
    .addOption(regionsOption())
    .addOption(planNameOption("only keys of a plan: its name (the keyplane:plan tag) or its key plan file"))
    .option(
      "--report <file>",
      "also write a timeline of material expiries and rotations: FILE.svg, .html or .pdf",
    )
    .action(async (flags: ExpiryFlags, command: Command) => {
      const { expiryScan } = await import("./expiry-action");
      await expiryScan(flags, command);
    });
  expiry
    .command("renew")
    .description("re-import the same material from escrow (EXISTING_KEY_MATERIAL) with a new expiry")
    .addOption(keyOption().makeOptionMandatory())
    .option("--escrow-dir <dir>", "folder holding the key's escrow shares")
    .addOption(
      inputFileOption(
        "--share <files...>",
        "or exactly these share files (list them or repeat the flag)",
        "share",
      ).conflicts("escrowDir"),
    )
    .addOption(
      inputFileOption(
        "--passphrase-file <files...>",
        "passphrases of sealed --share files, one per --share in the same order",
        "passphrase",
      ),
    )
    .addOption(expiresInOption("new expiry from now (default: the key's keyplane:material-validity-days)"))
    .addOption(validToOption("new expiry time (ISO 8601)"))
    .option("--no-expiry", "the material stops expiring")
    .action(async (flags: RenewFlags, command: Command) => {
      const { expiryRenew } = await import("./expiry-action");
      await expiryRenew(flags, command);
    });
}
