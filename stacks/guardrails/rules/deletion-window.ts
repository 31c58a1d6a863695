import type { Rule } from "../rule";

export const deletionWindow: Rule = {
  id: "KP-DELETION-WINDOW",
  severity: "error",
  description: "deletion windows are at least the profile's minimum",
  setting: "deletionWindowDays",
  check: ({ keys, thresholds }) =>
    keys
      .filter((key) => key.deletionWindowDays < thresholds.minDeletionWindowDays)
      .map((key) => ({
        path: key.path,
        message: `deletion window of ${key.deletionWindowDays} days; the profile requires at least ${thresholds.minDeletionWindowDays}`,
        fix: `set deletionWindowDays to at least ${thresholds.minDeletionWindowDays}`,
      })),
};
