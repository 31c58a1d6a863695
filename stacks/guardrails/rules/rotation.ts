import type { Rule } from "../rule";

export const rotation: Rule = {
  id: "KP-ROTATION",
  severity: "error",
  description: "symmetric keys rotate within the profile's period",
  setting: "rotationDays",
  check: ({ keys, thresholds }) =>
    keys.flatMap((key) => {
      const max = thresholds.maxRotationDays;
      if (key.origin === "AWS_KMS" && key.autoRotatable && key.rotationDays === undefined) {
        return [
          { path: key.path, message: "automatic rotation is off", fix: `set rotationDays to at most ${max}` },
        ];
      }
      if (key.rotationDays !== undefined && key.rotationDays > max) {
        return [
          {
            path: key.path,
            message: `rotates every ${key.rotationDays} days; the profile allows at most ${max}`,
            fix: `set rotationDays to at most ${max}`,
          },
        ];
      }
      return [];
    }),
};
