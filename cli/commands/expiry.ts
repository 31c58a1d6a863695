import type { Command } from "commander";

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
    .option("--within <duration>", "warning threshold", "30d")
    .option("--regions <list>", "comma-separated regions (default: the profile's region)")
    .option("--plan <name>", "only keys tagged keyplane:plan=NAME")
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
    .option("--key <key>", "key id, key ARN, alias name or alias ARN")
    .option("--escrow-dir <dir>", "folder holding the key's escrow shares")
    .option("--share <files...>", "or exactly these share files (list them or repeat the flag)")
    .option(
      "--passphrase-file <files...>",
      "passphrases of sealed --share files, one per --share in the same order",
    )
    .option(
      "--expires-in <duration>",
      "new expiry from now (default: the key's keyplane:material-validity-days)",
    )
    .option("--valid-to <iso>", "new expiry time (ISO 8601)")
    .option("--no-expiry", "the material stops expiring")
    .action(async (flags: RenewFlags, command: Command) => {
      const { expiryRenew } = await import("./expiry-action");
      await expiryRenew(flags, command);
    });
}
