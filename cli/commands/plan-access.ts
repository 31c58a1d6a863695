import type { Command } from "commander";
import { EXIT } from "../exit-codes";
import { globalOptions } from "../global-options";
import { type Column, printResult, say } from "../output";

interface AccessRow {
  key: string;
  principal: string;
  roles: string[];
  administer: boolean;
  import: boolean;
  use: string[];
  grant: boolean;
  read: boolean;
}

const yes = (value: boolean) => (value ? "yes" : "-");

/**
 * `plan access`: the synthesized key and identity policies evaluated for every principal of the plan (the
 * sandbox's evaluator), printed per key; exit 3 when what they allow departs from the plan's intent.
 */
export async function access(options: { plan?: string }, command: Command): Promise<void> {
  const { defaultPlanFile, loadPlanFile } = await import("../../stacks/plan/load");
  const { createdKeys, derivePlan } = await import("../../stacks/plan/derive");
  const { planAccess } = await import("../../stacks/policy/plan-access");
  const file = options.plan ?? defaultPlanFile();
  const derived = derivePlan(loadPlanFile(file));
  const matrix = planAccess(derived.plan.name, createdKeys(derived));
  const rows: AccessRow[] = matrix.keys.flatMap((key) =>
    key.principals.map((entry) => ({ key: key.alias, ...entry })),
  );
  const columns: Column<AccessRow>[] = [
    { header: "KEY", value: (row) => row.key },
    { header: "PRINCIPAL", value: (row) => row.principal },
    { header: "ROLES", value: (row) => row.roles.join(",") },
    { header: "ADMINISTER", value: (row) => yes(row.administer) },
    { header: "IMPORT", value: (row) => yes(row.import) },
    { header: "USE (VIA)", value: (row) => (row.use.length > 0 ? row.use.join(",") : "-") },
    { header: "GRANT", value: (row) => yes(row.grant) },
    { header: "READ", value: (row) => yes(row.read) },
  ];
  printResult(globalOptions(command), rows, columns, () => matrix, `${file}: the plan derives no keys`);
  const deviations = matrix.keys.flatMap((key) => key.deviations);
  if (deviations.length > 0) {
    for (const deviation of deviations) say(`deviation: ${deviation}`);
    say(`${file}: ${deviations.length} deviation(s) from the plan's intent`);
    process.exitCode = EXIT.attention;
  } else {
    say(`${file}: every principal can do what the plan intends, and no more`);
  }
}
