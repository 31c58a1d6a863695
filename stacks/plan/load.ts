import { parseDocument } from "yaml";
import { KeyplaneError } from "../../byok/errors";
import { readInputFile } from "../../byok/files/read-bounded";
import { checkReferences } from "./check-references";
import { formatIssue } from "./format-issue";
import { type KeyPlan, planSchema } from "./schema";

/** Where the app and the CLI look for the plan: KEYPLANE_PLAN, else ./keyplan.yaml. */
export function defaultPlanFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.KEYPLANE_PLAN || "keyplan.yaml";
}

/** Reads and validates a key plan file; throws one-line KeyplaneErrors naming the file and YAML path. */
export function loadPlanFile(file: string): KeyPlan {
  let text: string;
  try {
    text = readInputFile(file, { kind: "plan" }).toString("utf8");
  } catch (error) {
    if (!(error instanceof KeyplaneError)) throw error;
    throw new KeyplaneError("FILE", error.message, {
      hint: "write one (see keyplan.example.yaml) or set KEYPLANE_PLAN",
      cause: error,
    });
  }
  return parsePlan(text, file);
}

/** Parses and validates key plan text; `source` names it in errors. */
export function parsePlan(text: string, source: string): KeyPlan {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const yamlError = document.errors[0];
  if (yamlError) {
    const position = yamlError.linePos?.[0];
    const where = position ? `line ${position.line}, column ${position.col}` : "YAML";
    const message = yamlError.message.split("\n", 1)[0]?.replace(/ at line \d+, column \d+.*$/, "");
    throw new KeyplaneError("PLAN", `${source}: ${where}: ${message}`);
  }
  let input: unknown;
  try {
    // The yaml library stops alias expansion past a limit (a "billion laughs" bomb) and refuses an alias
    // to an anchor not yet set; both are faults of the file, said as such.
    input = document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split("\n", 1)[0];
    throw new KeyplaneError("PLAN", `${source}: YAML aliases: ${message}`);
  }
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new KeyplaneError(
      "PLAN",
      `${source}: expected a key plan (a YAML map with version: 1), got ${input === null ? "an empty file" : "something else"}`,
    );
  }
  const result = planSchema.safeParse(input);
  if (!result.success) {
    // A typo shows up as an unknown field and a missing one: the unknown field says more.
    const issues = result.error.issues;
    const first = issues.find((issue) => issue.code === "unrecognized_keys") ?? issues[0];
    throw new KeyplaneError("PLAN", `${source}: ${first ? formatIssue(first, input) : "invalid key plan"}`);
  }
  const problem = checkReferences(result.data);
  if (problem) throw new KeyplaneError("PLAN", `${source}: ${problem}`);
  return result.data;
}
