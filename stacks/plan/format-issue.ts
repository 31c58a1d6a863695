import type { z } from "zod";
import { describeValue, yamlPath } from "./yaml-path";

/** One zod issue as one line: `<yaml path>: <what was expected>, got <value>`. */
export function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === "unrecognized_keys") {
    const where = issue.path.length === 0 ? "(top level)" : yamlPath(issue.path);
    return `${where}: ${issue.message.replace("unknown field", `unknown field '${issue.keys[0]}'`)}`;
  }
  if (issue.code === "invalid_key") {
    const inner = issue.issues[0]?.message ?? issue.message;
    return `${yamlPath(issue.path)}: ${inner}, got ${describeValue(issue.path.at(-1))}`;
  }
  const where = issue.path.length === 0 ? "(top level)" : yamlPath(issue.path);
  const value = valueAt(input, issue.path);
  if (value === undefined) return `${where}: missing (${issue.message})`;
  if (issue.message.startsWith("unknown ") && issue.message.includes(" (known:")) {
    return `${where}: ${issue.message.replace(" (known:", ` ${describeValue(value)} (known:`)}`;
  }
  return `${where}: ${issue.message}, got ${describeValue(value)}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
