import type { Command } from "commander";

export interface AdoptFlags {
  out?: string;
  name?: string;
}

/** `keyplane adopt`: a draft key plan for the keys an account already has, and what synth --adopt imports. */
export function registerAdopt(program: Command): void {
  program
    .command("adopt")
    .description("draft DIR/keyplan.yaml from the existing keys of the account and Region (guesses marked)")
    .option("--out <dir>", "folder for keyplan.yaml, adopt.json and adopt-mapping.yaml")
    .option(
      "--name <plan>",
      "plan name, the alias prefix (default: the keys' keyplane:plan tag, else adopted)",
    )
    .addHelpText(
      "after",
      "\nThen: fill DIR/adopt-mapping.yaml (keys adopt could not map) and rerun with --yes, review keyplan.yaml,\n" +
        "and keyplane synth --plan DIR/keyplan.yaml --adopt DIR: Terraform imports the keys instead of creating them.",
    )
    .action(async (flags: AdoptFlags, command: Command) => {
      const { runAdopt } = await import("./adopt-action");
      await runAdopt(flags, command);
    });
}
