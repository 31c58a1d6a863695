import type { Rule } from "../rule";

/** A warning in baseline; an error under profiles that require monitoring. */
export const expiryAlarm: Rule = {
  id: "KP-EXPIRY-ALARM",
  severity: "warning",
  description: "every external key has an alarm before its material expires",
  setting: "monitoring",
  check: ({ keys, thresholds }) =>
    keys
      .filter((key) => key.origin === "EXTERNAL" && !key.expiryAlarm)
      .map((key) => ({
        path: key.path,
        message:
          "no alarm on SecondsUntilKeyMaterialExpiration: expiring material would disable the key unnoticed",
        fix: "turn monitoring on (remove monitoring: false)",
        severity: thresholds.monitoringRequired ? ("error" as const) : ("warning" as const),
      })),
};
