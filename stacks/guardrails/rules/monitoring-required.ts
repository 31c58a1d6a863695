import type { Rule } from "../rule";

export const monitoringRequired: Rule = {
  id: "KP-MONITORING-REQUIRED",
  severity: "error",
  description: "monitoring present where the profile requires it",
  setting: "monitoring",
  check: ({ stacks, thresholds }) =>
    thresholds.monitoringRequired
      ? stacks
          .filter((stack) => !stack.monitoring)
          .map((stack) => ({
            path: stack.path,
            message: "the compliance profile requires key monitoring (trail, alerts), and it is off",
            fix: "remove monitoring: false",
          }))
      : [],
};
