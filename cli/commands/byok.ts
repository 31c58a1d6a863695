import type { Command } from "commander";
import { registerByokOffline } from "./byok-offline";
import { registerByokOnline } from "./byok-online";
import { registerJournalReport } from "./byok-report";
import { registerByokScript } from "./byok-script";

export function registerByok(program: Command): void {
  const byok = program.command("byok").description("bring your own key: material, wrapping, import, escrow");
  // Offline steps (generate, kcv, wrap, escrow, journal) work on files only and never need AWS.
  registerByokOffline(byok);
  const journal = byok.commands.find((command) => command.name() === "journal");
  if (journal) registerJournalReport(journal);
  // Online steps (params, import, ceremony) talk to KMS.
  registerByokOnline(byok);
  registerByokScript(byok);
}
