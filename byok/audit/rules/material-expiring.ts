import { CONTROL } from "../controls";
import type { KeyRule } from "../model";
import { assessMaterials, materialLabel } from "./material-assessment";

export const materialExpiring: KeyRule = {
  id: "material-expiring",
  scope: "key",
  severity: "high",
  description:
    "Imported key material expires soon; when any material that is not pending rotation expires, the whole key becomes unusable.",
  controls: [CONTROL.pci374, CONTROL.nistCryptoperiod],
  check: (key, settings) =>
    assessMaterials(key, settings.expiringWithinDays)
      .filter((row) => row.status === "warning" || row.status === "critical")
      .filter((row) => row.validTo !== null)
      .map((row) => ({
        evidence: `${materialLabel(row)} expires ${row.validTo?.toISOString()} (${row.daysLeft} days left)`,
        fix: row.action,
      })),
};
