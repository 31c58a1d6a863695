import type { Command } from "commander";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "walk through keyplane on the built-in sandbox, as the plan's roles: plan, apply, ceremony, expiry, renewal, rotation",
    )
    .option("--keep", "keep the demo's working folder (journal, escrow shares, Terraform files)", false)
    .action(async (flags: { keep: boolean }) => {
      const { runDemo } = await import("./demo-run");
      await runDemo(flags);
    });
}
