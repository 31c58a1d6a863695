/** Reading a key policy document: who is allowed what. */
import type { PolicyDocument, PolicyStatement } from "../constructs/key-policy";

export function principalsOf(statement: PolicyStatement): string[] {
  if (statement.Principal === "*") return ["*"];
  const value = "AWS" in statement.Principal ? statement.Principal.AWS : statement.Principal.Service;
  return typeof value === "string" ? [value] : [...value];
}

function actionsOf(statement: PolicyStatement): string[] {
  return typeof statement.Action === "string" ? [statement.Action] : statement.Action;
}

/** Compiled once: guardrails match the same few dozen action patterns for every key. */
const PATTERNS = new Map<string, RegExp>();

/** IAM action matching: `kms:*`, `kms:GenerateDataKey*` and exact names, case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  let expression = PATTERNS.get(pattern);
  if (!expression) {
    expression = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i");
    PATTERNS.set(pattern, expression);
  }
  return expression.test(action);
}

export function statementAllows(statement: PolicyStatement, action: string): boolean {
  return (
    statement.Effect === "Allow" && actionsOf(statement).some((pattern) => actionMatches(pattern, action))
  );
}

/** Principals allowed any of `actions` by the document. */
export function principalsAllowed(document: PolicyDocument, actions: readonly string[]): Set<string> {
  const principals = new Set<string>();
  for (const statement of document.Statement) {
    if (actions.some((action) => statementAllows(statement, action))) {
      for (const principal of principalsOf(statement)) principals.add(principal);
    }
  }
  return principals;
}
