import type { Command } from "commander";
import { notAvailable } from "../not-available";

export function registerRotation(program: Command): void {
  const rotation = program
    .command("rotation")
    .description("rotation status, plan and apply for a plan's keys");
  for (const sub of ["status", "plan", "apply"]) {
    rotation
      .command(sub)
      .description(`rotation ${sub}`)
      .action(() => notAvailable(`rotation ${sub}`));
  }
}
