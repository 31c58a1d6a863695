import type { Rule } from "../rule";

export const budget: Rule = {
  id: "KP-BUDGET",
  severity: "error",
  description: "key count within budget.maxKeys",
  check: ({ keys, maxKeys, planName }) => {
    const count = keys.filter((key) => !key.monitoringKey).length;
    if (maxKeys === undefined || count <= maxKeys) return [];
    return [
      {
        path: planName,
        message: `the plan derives ${count} keys; budget.maxKeys is ${maxKeys}`,
        fix: "share keys across services (shareAcrossServices: true), use aws-managed keys for public data, or raise budget.maxKeys",
      },
    ];
  },
};
