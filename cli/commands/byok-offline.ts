import type { Command } from "commander";
import { notAvailable } from "../not-available";

/** generate, kcv, wrap, escrow split|combine, journal verify: files in, files out, no AWS. */
export function registerByokOffline(byok: Command): void {
  byok
    .command("generate")
    .description("generate key material for a key spec")
    .action(() => notAvailable("byok generate"));
}
