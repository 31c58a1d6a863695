import { CONTROL } from "../controls";
import { servicesOf, sharedAcrossServicesByPlan } from "../facets";
import type { KeyRule } from "../model";
import { sharedFacet } from "./shared-facet";

export const sharedAcrossServices: KeyRule = {
  id: "shared-across-services",
  scope: "key",
  severity: "low",
  description:
    "One key serves several AWS services without the plan allowing it (keyplane:service=*), widening who can use it.",
  controls: [CONTROL.nistUsage],
  check: (key) =>
    sharedAcrossServicesByPlan(key)
      ? []
      : sharedFacet(
          servicesOf(key),
          "services",
          "give each service its own key, or tag keyplane:service=* where the classification allows sharing",
        ),
};
