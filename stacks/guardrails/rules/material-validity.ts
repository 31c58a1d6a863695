import type { Rule } from "../rule";

export const materialValidity: Rule = {
  id: "KP-MATERIAL-VALIDITY",
  severity: "error",
  description: "imported key material expires within the profile's validity",
  setting: "materialValidityDays",
  check: ({ keys, thresholds }) =>
    keys.flatMap((key) => {
      const max = thresholds.maxMaterialValidityDays;
      if (key.origin !== "EXTERNAL") return [];
      if (key.materialValidityDays === undefined) {
        return [
          {
            path: key.path,
            message: "imported material never expires",
            fix: `set materialValidityDays to at most ${max}`,
          },
        ];
      }
      if (key.materialValidityDays > max) {
        return [
          {
            path: key.path,
            message: `material valid for ${key.materialValidityDays} days; the profile allows at most ${max}`,
            fix: `set materialValidityDays to at most ${max}`,
          },
        ];
      }
      return [];
    }),
};
