import type { Command } from "commander";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("walk through keyplane on the built-in sandbox")
    .action(() => {
      program.outputHelp();
    });
}
