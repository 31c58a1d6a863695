/** Reading a key policy document: who is allowed what. */
import type { PolicyDocument, PolicyStatement } from "../policy/document";

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

/**
 * Whether a statement allows any of `actions`, remembered per action list: every key of a plan repeats the
 * same few statements, and guardrails ask the same few questions.
 */
const ANSWERS = new WeakMap<readonly string[], Map<string, boolean>>();
const JOINED = new WeakMap<PolicyStatement, string>();

function allowsAny(statement: PolicyStatement, actions: readonly string[]): boolean {
  if (statement.Effect !== "Allow") return false;
  let answers = ANSWERS.get(actions);
  if (!answers) {
    answers = new Map();
    ANSWERS.set(actions, answers);
  }
  let patterns = JOINED.get(statement);
  if (patterns === undefined) {
    patterns = actionsOf(statement).join(",");
    JOINED.set(statement, patterns);
  }
  let allowed = answers.get(patterns);
  if (allowed === undefined) {
    allowed = actions.some((action) => statementAllows(statement, action));
    answers.set(patterns, allowed);
  }
  return allowed;
}

/** Principals allowed any of `actions` (pass a constant list: answers are remembered per list). */
export function principalsAllowed(document: PolicyDocument, actions: readonly string[]): Set<string> {
  const principals = new Set<string>();
  for (const statement of document.Statement) {
    if (allowsAny(statement, actions)) {
      for (const principal of principalsOf(statement)) principals.add(principal);
    }
  }
  return principals;
}
