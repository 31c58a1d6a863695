import type { Command } from "commander";
import { notAvailable } from "../not-available";

export function registerPlan(program: Command): void {
  const plan = program.command("plan").description("lint or explain a key plan (keyplan.yaml)");
  plan
    .command("lint")
    .description("print guardrail findings; exit 1 on any error-level finding")
    .option("--plan <file>", "key plan file", "keyplan.yaml")
    .action(() => notAvailable("plan lint"));
  plan
    .command("explain")
    .description("print the keys the plan derives")
    .option("--plan <file>", "key plan file", "keyplan.yaml")
    .action(() => notAvailable("plan explain"));
}
