import { TAG } from "../../../byok/vocabulary/tags";
import type { Rule } from "../rule";

/** Aliases follow alias/<plan>/<application>/<classification>/<service>; each must agree with the tag. */
export const oneClassification: Rule = {
  id: "KP-ONE-CLASSIFICATION",
  severity: "error",
  description: "no key serves two classifications",
  setting: "data",
  check: ({ keys, planName }) =>
    keys.flatMap((key) => {
      const served = new Set<string>();
      const tag = key.tags[TAG.classification];
      if (tag !== undefined) served.add(tag);
      for (const alias of key.aliases) {
        const segments = alias.split("/");
        if (segments[1] === planName && segments[3] !== undefined) served.add(segments[3]);
      }
      if (served.size <= 1) return [];
      return [
        {
          path: key.path,
          message: `key serves ${served.size} classifications (${[...served].join(", ")})`,
          fix: "give each classification its own key (one alias per classification)",
        },
      ];
    }),
};
