import { CONTROL } from "../controls";
import { applicationsOf } from "../facets";
import type { KeyRule } from "../model";
import { sharedFacet } from "./shared-facet";

export const sharedAcrossApplications: KeyRule = {
  id: "shared-across-applications",
  scope: "key",
  severity: "medium",
  description: "One key serves several applications, so one application's access reaches the others' data.",
  controls: [CONTROL.pci361, CONTROL.nistUsage],
  check: (key) =>
    sharedFacet(
      applicationsOf(key),
      "applications",
      "give each application its own key and point each alias at it",
    ),
};
