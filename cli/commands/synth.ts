import type { Command } from "commander";

export interface SynthFlags {
  plan?: string;
  out: string;
  sandbox?: string;
  backend?: string;
  backendRegion?: string;
  adopt?: string;
}

/** `keyplane synth`: Terraform JSON from a key plan, without cdktf-cli and without a TypeScript build. */
export function registerSynth(program: Command): void {
  program
    .command("synth")
    .description(
      "write Terraform JSON for the plan's stacks: DIR/stacks/<stack>/cdk.tf.json (as cdktf synth)",
    )
    .option("--plan <file>", "key plan file (default: KEYPLANE_PLAN or keyplan.yaml)")
    .option("--out <dir>", "output folder", "cdktf.out")
    .option(
      "--sandbox <url>",
      "rehearse on a keyplane sandbox: KMS and STS at URL (credentials: the standard AWS chain), local state",
    )
    .option(
      "--backend <where>",
      "state: local:PATH (a folder for terraform.<stack>.tfstate) or s3://BUCKET/PREFIX (S3 lock file) " +
        "(default: the plan's backend, else local:terraform-state beside the output folder)",
    )
    .option("--backend-region <region>", "region of the S3 state bucket (default: the plan's region)")
    .option(
      "--adopt <dir>",
      "import the existing keys keyplane adopt listed in DIR (Terraform import blocks)",
    )
    .addHelpText(
      "after",
      "\nExit codes: 0 written; 1 the plan cannot be read or built; 2 usage; 3 guardrail errors (nothing written).\n" +
        "Then: cd DIR/stacks/<stack> && terraform init && terraform plan",
    )
    .action(async (flags: SynthFlags, command: Command) => {
      const { runSynth } = await import("./synth-action");
      process.exitCode = await runSynth(flags, command);
    });
}
