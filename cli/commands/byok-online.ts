import type { Command } from "commander";
import { notAvailable } from "../not-available";

/** params, import, ceremony: the steps that talk to KMS. */
export function registerByokOnline(byok: Command): void {
  byok
    .command("ceremony")
    .description("guided BYOK ceremony")
    .action(() => notAvailable("byok ceremony"));
}
