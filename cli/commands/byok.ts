import type { Command } from "commander";
import { notAvailable } from "../not-available";

export function registerByok(program: Command): void {
  const byok = program.command("byok").description("bring your own key: material, wrapping, import, escrow");
  byok
    .command("ceremony")
    .description("guided BYOK ceremony")
    .action(() => notAvailable("byok ceremony"));
}
