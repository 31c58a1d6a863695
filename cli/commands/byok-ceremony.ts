import type { Command } from "commander";
import { notAvailable } from "../not-available";

export function registerCeremony(byok: Command): void {
  byok
    .command("ceremony")
    .description("guided BYOK ceremony")
    .action(() => notAvailable("byok ceremony"));
}
