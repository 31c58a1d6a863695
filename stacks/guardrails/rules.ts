import type { Rule } from "./rule";
import { accessMatrix } from "./rules/access-matrix";
import { budget } from "./rules/budget";
import { classificationTag } from "./rules/classification-tag";
import { deletionWindow } from "./rules/deletion-window";
import { expiryAlarm } from "./rules/expiry-alarm";
import { importer } from "./rules/importer";
import { lockout } from "./rules/lockout";
import { materialValidity } from "./rules/material-validity";
import { monitoringRequired } from "./rules/monitoring-required";
import { oneClassification } from "./rules/one-classification";
import { rotation } from "./rules/rotation";
import { separationOfDuties } from "./rules/separation-of-duties";
import { unusedKey } from "./rules/unused-key";
import { wildcardPrincipal } from "./rules/wildcard-principal";

/** Every guardrail, in the order findings are reported. */
export const RULES: readonly Rule[] = [
  classificationTag,
  oneClassification,
  rotation,
  materialValidity,
  expiryAlarm,
  deletionWindow,
  wildcardPrincipal,
  separationOfDuties,
  lockout,
  importer,
  accessMatrix,
  budget,
  unusedKey,
  monitoringRequired,
];
