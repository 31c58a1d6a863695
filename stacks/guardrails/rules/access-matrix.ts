import type { Rule } from "../rule";

/**
 * The access matrix as a guardrail: the synthesized key policies and the identity policies keyplane writes
 * for each role, evaluated as KMS evaluates them (the sandbox's evaluator), must give each principal exactly
 * its role: administrators and deploy roles never use, custodians never read data, users only through their
 * services from their account, nobody from elsewhere, and someone can always administer.
 */
export const accessMatrix: Rule = {
  id: "KP-ACCESS-MATRIX",
  severity: "error",
  description: "evaluated policies give every principal exactly what the plan intends",
  setting: "data",
  check: ({ accessDeviations }) =>
    (accessDeviations ?? []).map((deviation) =>
      deviation.notEvaluated
        ? {
            path: deviation.path,
            message: deviation.message,
            fix: "run keyplane plan access, which evaluates every key (with the IAM policy evaluator installed)",
            severity: "warning" as const,
          }
        : {
            path: deviation.path,
            message: deviation.message,
            fix: "run keyplane plan access to see who can do what; give each role its own principals",
          },
    ),
};
