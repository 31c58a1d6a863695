import type { AuditRule } from "../model";
import { adminCanUse } from "./admin-can-use";
import { crossAccountUnconditioned } from "./cross-account-unconditioned";
import { disabledReferenced } from "./disabled-referenced";
import { materialExpired } from "./material-expired";
import { materialExpiring } from "./material-expiring";
import { overBudget } from "./over-budget";
import { pendingDeletion } from "./pending-deletion";
import { rotationOff } from "./rotation-off";
import { rotationTooLong } from "./rotation-too-long";
import { sharedAcrossApplications } from "./shared-across-applications";
import { sharedAcrossClassifications } from "./shared-across-classifications";
import { sharedAcrossServices } from "./shared-across-services";
import { unclassified } from "./unclassified";
import { unused } from "./unused";
import { wildcardPrincipal } from "./wildcard-principal";

/** Every audit rule, in the order findings are listed. */
export const AUDIT_RULES: readonly AuditRule[] = [
  unclassified,
  sharedAcrossClassifications,
  sharedAcrossApplications,
  sharedAcrossServices,
  rotationOff,
  rotationTooLong,
  materialExpiring,
  materialExpired,
  pendingDeletion,
  disabledReferenced,
  wildcardPrincipal,
  crossAccountUnconditioned,
  adminCanUse,
  unused,
  overBudget,
];
