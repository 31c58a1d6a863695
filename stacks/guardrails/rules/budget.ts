import type { Rule } from "../rule";

export const budget: Rule = {
  id: "KP-BUDGET",
  severity: "error",
  description: "key count within budget.maxKeys",
  setting: "budget.maxKeys",
  // Every key the stacks create counts, the stacks' own monitoring keys too: each costs as much as a data
  // key, and `plan explain` lists them all.
  check: ({ keys, maxKeys, planName }) => {
    if (maxKeys === undefined || keys.length <= maxKeys) return [];
    const monitoring = keys.filter((key) => key.monitoringKey).length;
    const detail = monitoring === 0 ? "" : ` (${keys.length - monitoring} data, ${monitoring} monitoring)`;
    return [
      {
        path: planName,
        message: `the plan creates ${keys.length} keys${detail}; budget.maxKeys is ${maxKeys}`,
        fix: "share keys across services (shareAcrossServices: true), use aws-managed keys for public data, or raise budget.maxKeys",
      },
    ];
  },
};
