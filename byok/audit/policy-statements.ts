/**
 * The key policy's statements in the shape the rules read: principals, actions, whether a condition limits
 * them, and the services named by kms:ViaService. Static reading, not evaluation: the rules ask "who is named
 * for what", which the statements answer without a request to evaluate.
 */
import type { PolicyJson } from "../vocabulary/policy-evaluation";

export interface PolicyStatement {
  sid?: string;
  effect: "Allow" | "Deny";
  /** `*` for `"Principal": "*"` or `{"AWS": "*"}`; otherwise the AWS principals (ARNs or account ids). */
  principals: string[];
  /** Service principals (`logs.amazonaws.com`). */
  servicePrincipals: string[];
  actions: string[];
  /** A NotAction statement allows everything but its list: treated as every action. */
  notAction: boolean;
  conditioned: boolean;
  viaServices: string[];
}

const cache = new WeakMap<PolicyJson, PolicyStatement[]>();

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  return [];
}

function principalsOf(principal: unknown): { aws: string[]; services: string[] } {
  if (principal === "*") return { aws: ["*"], services: [] };
  if (principal !== null && typeof principal === "object") {
    const record = principal as Record<string, unknown>;
    return { aws: strings(record.AWS), services: strings(record.Service) };
  }
  return { aws: [], services: [] };
}

function viaServicesOf(condition: unknown): string[] {
  if (condition === null || typeof condition !== "object") return [];
  return Object.values(condition as Record<string, unknown>).flatMap((operands) => {
    if (operands === null || typeof operands !== "object") return [];
    return Object.entries(operands as Record<string, unknown>)
      .filter(([key]) => key.toLowerCase() === "kms:viaservice")
      .flatMap(([, value]) => strings(value));
  });
}

export function statementsOf(policy: PolicyJson | undefined): PolicyStatement[] {
  if (!policy) return [];
  const known = cache.get(policy);
  if (known) return known;
  const raw = policy.Statement;
  const list = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Record<string, unknown>[];
  const statements = list.map((statement): PolicyStatement => {
    const { aws, services } = principalsOf(statement.Principal);
    const condition = statement.Condition;
    const parsed: PolicyStatement = {
      effect: statement.Effect === "Deny" ? "Deny" : "Allow",
      principals: aws,
      servicePrincipals: services,
      actions: strings(statement.Action ?? statement.NotAction),
      notAction: statement.NotAction !== undefined,
      conditioned:
        condition !== null && typeof condition === "object" && Object.keys(condition as object).length > 0,
      viaServices: viaServicesOf(condition),
    };
    if (typeof statement.Sid === "string") parsed.sid = statement.Sid;
    return parsed;
  });
  cache.set(policy, statements);
  return statements;
}

/** The account a principal ARN or account id belongs to, or undefined for `*`. */
export function accountOfPrincipal(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
}

/** Whether an action pattern (`kms:*`, `kms:Generate*`) covers `action` (`kms:GenerateDataKey`). */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i");
  return regex.test(action);
}

/** Whether the statement allows any of `actions`. */
export function allowsAny(statement: PolicyStatement, actions: readonly string[]): boolean {
  if (statement.effect !== "Allow") return false;
  if (statement.notAction)
    return actions.some((action) => !statement.actions.some((p) => actionMatches(p, action)));
  return actions.some((action) => statement.actions.some((pattern) => actionMatches(pattern, action)));
}
