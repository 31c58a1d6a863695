import { TAG } from "../../vocabulary/tags";
import { CONTROL } from "../controls";
import { classificationsOf } from "../facets";
import type { KeyRule } from "../model";

export const unclassified: KeyRule = {
  id: "unclassified",
  scope: "key",
  severity: "medium",
  description: "The key carries no data classification tag, so nothing says what it may protect.",
  controls: [CONTROL.pci361, CONTROL.nistUsage],
  check(key) {
    const tagged = classificationsOf(key).some((facet) => facet.source.startsWith("tag "));
    if (tagged) return [];
    const hinted = classificationsOf(key).map((facet) => `${facet.value} (${facet.source})`);
    return [
      {
        evidence: `no ${TAG.classification} tag${hinted.length > 0 ? `; aliases suggest ${hinted.join(", ")}` : ""}`,
        fix: `tag the key ${TAG.classification}=<classification> (keyplane adopt drafts it from aliases)`,
      },
    ];
  },
};
