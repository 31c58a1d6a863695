import type { Command } from "commander";
import { KeyplaneError } from "../../byok/errors";
import { globalOptions } from "../global-options";
import { type Column, printResult, say } from "../output";
import { access } from "./plan-access";

interface PlanOptions {
  plan?: string;
}

/** `plan lint` and `plan explain`: pure derivation and guardrails, no cdktf loaded. */
export function registerPlan(program: Command): void {
  const plan = program
    .command("plan")
    .description("lint, explain or check access of a key plan (keyplan.yaml)");
  plan
    .command("lint")
    .description("print guardrail findings; exit 1 on any error-level finding")
    .option("--plan <file>", "key plan file (default: KEYPLANE_PLAN or keyplan.yaml)")
    .action((options: PlanOptions, command: Command) => lint(options, command));
  plan
    .command("explain")
    .description("print the keys the plan derives")
    .option("--plan <file>", "key plan file (default: KEYPLANE_PLAN or keyplan.yaml)")
    .action((options: PlanOptions, command: Command) => explain(options, command));
  plan
    .command("access")
    .description(
      "print what each principal can do with each key (policies evaluated); exit 3 on deviations from the plan",
    )
    .option("--plan <file>", "key plan file (default: KEYPLANE_PLAN or keyplan.yaml)")
    .action((options: PlanOptions, command: Command) => access(options, command));
}

async function load(options: PlanOptions) {
  const { defaultPlanFile, loadPlanFile } = await import("../../stacks/plan/load");
  const { derivePlan } = await import("../../stacks/plan/derive");
  const file = options.plan ?? defaultPlanFile();
  return { file, derived: derivePlan(loadPlanFile(file)) };
}

interface ExplainRow {
  alias: string;
  classification: string;
  application: string;
  services: string[];
  origin: string;
  keySpec: string;
  rotationDays: number | null;
  materialValidityDays: number | null;
  awsManagedKey: string | null;
  stack: string | null;
  /** The account that holds the key; null for AWS managed keys (the application's account). */
  account: string | null;
  /** The tags the stacks put on the key (the CLI's runbooks read them); empty for AWS managed keys. */
  tags: Record<string, string>;
}

async function explain(options: PlanOptions, command: Command): Promise<void> {
  const { derived } = await load(options);
  const { createdKeys } = await import("../../stacks/plan/derive");
  const rows: ExplainRow[] = [
    ...createdKeys(derived).map((key) => ({
      alias: key.alias,
      classification: key.classification,
      application: key.application,
      services: key.services,
      origin: key.origin,
      keySpec: key.keySpec,
      rotationDays: key.rotationDays ?? null,
      materialValidityDays: key.materialValidityDays ?? null,
      awsManagedKey: null,
      stack: key.stack,
      account: key.keyAccount,
      tags: key.tags,
    })),
    ...derived.awsManaged.map((use) => ({
      alias: use.awsManagedKey.startsWith("aws/") ? `alias/${use.awsManagedKey}` : "-",
      classification: use.classification,
      application: use.application,
      services: [use.service],
      origin: "AWS_MANAGED",
      keySpec: "SYMMETRIC_DEFAULT",
      rotationDays: null,
      materialValidityDays: null,
      awsManagedKey: use.awsManagedKey,
      stack: null,
      account: null,
      tags: {},
    })),
  ];
  // Decentralized plans repeat aliases across accounts (each stack has its own monitoring key): the
  // account tells the rows apart. Centralized plans hold every key in the security account.
  const accountColumn: Column<ExplainRow>[] =
    derived.plan.management === "decentralized"
      ? [{ header: "ACCOUNT", value: (row) => row.account ?? "-" }]
      : [];
  const columns: Column<ExplainRow>[] = [
    ...accountColumn,
    { header: "ALIAS", value: (row) => row.alias },
    { header: "CLASSIFICATION", value: (row) => row.classification },
    { header: "APPLICATION", value: (row) => row.application },
    { header: "SERVICES", value: (row) => row.services.join(",") },
    { header: "ORIGIN", value: (row) => row.origin },
    { header: "KEY SPEC", value: (row) => row.keySpec },
    {
      header: "ROTATION",
      value: (row) => (row.rotationDays === null ? "-" : `${row.rotationDays}d`),
      align: "right",
    },
    {
      header: "VALIDITY",
      value: (row) => (row.materialValidityDays === null ? "-" : `${row.materialValidityDays}d`),
      align: "right",
    },
    { header: "AWS MANAGED KEY", value: (row) => row.awsManagedKey ?? "-" },
  ];
  const plan = derived.plan.name;
  printResult(globalOptions(command), rows, columns, (keys) => ({ plan, keys }), "the plan derives no keys");
}

interface LintRow {
  severity: string;
  rule: string;
  path: string;
  yamlPath: string | null;
  message: string;
  fix: string;
  suppressed: string | null;
}

async function lint(options: PlanOptions, command: Command): Promise<void> {
  const { file, derived } = await load(options);
  const { lintPlan } = await import("../../stacks/guardrails/lint-plan");
  const { errorsOf } = await import("../../stacks/guardrails/evaluate");
  const findings = lintPlan(derived, { source: file });
  const rows: LintRow[] = findings.map((finding) => ({
    severity: finding.severity,
    rule: finding.rule,
    path: finding.path,
    yamlPath: finding.yamlPath ?? null,
    message: finding.message,
    fix: finding.fix,
    suppressed: finding.suppressed ?? null,
  }));
  const errors = errorsOf(findings).length;
  const columns: Column<LintRow>[] = [
    {
      header: "SEVERITY",
      value: (row) => (row.suppressed === null ? row.severity : `${row.severity} (suppressed)`),
      tone: (row) => (row.suppressed !== null ? "dim" : row.severity === "error" ? "red" : "yellow"),
    },
    { header: "RULE", value: (row) => row.rule },
    { header: "PLAN FIELD", value: (row) => row.yamlPath ?? "-" },
    { header: "PATH", value: (row) => row.path },
    { header: "MESSAGE", value: (row) => row.message },
    { header: "FIX / SUPPRESSION REASON", value: (row) => row.suppressed ?? row.fix },
  ];
  const plan = derived.plan.name;
  printResult(
    globalOptions(command),
    rows,
    columns,
    (all) => ({ plan, file, errors, findings: all }),
    `${file}: no findings`,
  );
  if (errors > 0) {
    throw new KeyplaneError("PLAN", `${file}: ${errors} guardrail error(s)`, {
      hint: "fix them, or add a suppress entry with a reason",
    });
  }
  if (rows.length > 0) say(`${file}: no errors (${rows.length} finding(s) above)`);
}
