import { type Command, Option } from "commander";

export interface AuditFlags {
  regions?: string;
  accounts?: string;
  roleName?: string;
  organization?: boolean;
  format?: "sarif";
  failOn?: string;
  budget?: string;
  within: string;
  unusedDays: string;
  maxRotationDays: string;
  shard?: string;
  workers?: string;
}

export interface AuditMergeFlags {
  format?: "sarif";
  failOn?: string;
}

const SEVERITY_CHOICES = ["low", "medium", "high", "critical"];

/** `keyplane audit`: pitfalls in the customer managed keys that already exist, across accounts and Regions. */
export function registerAudit(program: Command): void {
  const audit = program
    .command("audit")
    .description("find pitfalls in existing customer managed keys (every account and Region given)")
    .option("--regions <list>", "comma-separated regions (default: every Region each account has enabled)")
    .option("--accounts <file>", "YAML or JSON list of account ids (with --role-name) or role ARNs")
    .option("--organization", "every ACTIVE account of the caller's AWS Organization (with --role-name)")
    .option("--role-name <name>", "role assumed in each account (STS AssumeRole)")
    .option("--workers <n>", "worker threads reading account-Regions (default: the available cores)")
    .addOption(new Option("--format <format>", "SARIF 2.1.0 for code-scanning dashboards").choices(["sarif"]))
    .addOption(
      new Option("--fail-on <severity>", "exit 3 when a finding is at or above").choices(SEVERITY_CHOICES),
    )
    .option(
      "--shard <i/n>",
      "read every Nth account-Region pair from the Ith (join the runs with audit merge)",
    )
    .option("--budget <n>", "customer managed keys allowed per account and Region")
    .option("--within <duration>", "imported material expiring within this is reported", "30d")
    .option("--unused-days <n>", "keys without cryptographic use for this many days are reported", "90")
    .option(
      "--max-rotation-days <n>",
      "rotation period allowed for keys without a keyplane:rotation-days tag",
      "365",
    )
    .addHelpText(
      "after",
      "\nExit codes: 0 done; 1 error; 2 usage; 3 a finding at or above --fail-on.\n" +
        'JSON (--output json): {"findings":[{"rule","severity","keyArn","account","region","evidence","fix","controls"}],"errors":[...]}',
    )
    .action(async (flags: AuditFlags, command: Command) => {
      const { runAudit } = await import("./audit-action");
      await runAudit(flags, command);
    });
  audit
    .command("merge")
    .description("join the --output json results of --shard runs into one report")
    .argument("<files...>", "results of keyplane audit --shard I/N --output json")
    .addHelpText("after", "\n--format sarif and --fail-on SEVERITY work as for audit itself.")
    .action(async (files: string[], _flags: unknown, command: Command) => {
      const { runAuditMerge } = await import("./audit-action");
      // audit's own --format and --fail-on are parsed by audit, before or after `merge`.
      await runAuditMerge(files, command.optsWithGlobals<AuditMergeFlags>(), command);
    });
}
