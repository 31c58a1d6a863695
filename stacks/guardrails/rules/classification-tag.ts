import { TAG } from "../../../byok/vocabulary/tags";
import type { Rule } from "../rule";

export const classificationTag: Rule = {
  id: "KP-CLASSIFICATION-TAG",
  severity: "error",
  description: "every key carries a known keyplane:classification tag",
  setting: "data",
  check: ({ keys, knownClassifications }) =>
    keys.flatMap((key) => {
      const value = key.tags[TAG.classification];
      if (value === undefined) {
        return [
          {
            path: key.path,
            message: `key has no ${TAG.classification} tag`,
            fix: `tag it with one of: ${knownClassifications.join(", ")}`,
          },
        ];
      }
      if (!knownClassifications.includes(value)) {
        return [
          {
            path: key.path,
            message: `${TAG.classification} '${value}' is not a classification of the plan`,
            fix: `use one of: ${knownClassifications.join(", ")}`,
          },
        ];
      }
      return [];
    }),
};
