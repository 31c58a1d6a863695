import { CONTROL } from "../controls";
import { classificationsOf } from "../facets";
import type { KeyRule } from "../model";
import { sharedFacet } from "./shared-facet";

export const sharedAcrossClassifications: KeyRule = {
  id: "shared-across-classifications",
  scope: "key",
  severity: "high",
  description: "One key protects data of several classifications, so the weakest handling applies to all.",
  controls: [CONTROL.pci361, CONTROL.nistUsage],
  check: (key) =>
    sharedFacet(
      classificationsOf(key),
      "classifications",
      "give each classification its own key; re-encrypt the data of the others under it",
    ),
};
