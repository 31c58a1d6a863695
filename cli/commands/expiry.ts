import type { Command } from "commander";
import { notAvailable } from "../not-available";

export function registerExpiry(program: Command): void {
  program
    .command("expiry")
    .description("imported key material expiring within a threshold (exit 3 when any)")
    .option("--within <duration>", "warning threshold", "30d")
    .option("--regions <list>", "comma-separated regions")
    .action(() => notAvailable("expiry"));
}
