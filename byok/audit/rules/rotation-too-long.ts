import { TAG } from "../../vocabulary/tags";
import { CONTROL } from "../controls";
import type { KeyRule } from "../model";

export const rotationTooLong: KeyRule = {
  id: "rotation-too-long",
  scope: "key",
  severity: "medium",
  description: "The rotation period is longer than the key's classification allows (its cryptoperiod).",
  controls: [CONTROL.pci374, CONTROL.nistCryptoperiod],
  check(key, settings) {
    const period = key.rotation?.enabled ? key.rotation.periodDays : undefined;
    if (period === undefined) return [];
    const tagged = key.tags[TAG.rotationDays];
    const allowed = tagged && /^\d+$/.test(tagged) ? Number(tagged) : settings.maxRotationDays;
    if (period <= allowed) return [];
    const source = tagged ? `tag ${TAG.rotationDays}` : "--max-rotation-days";
    return [
      {
        evidence: `RotationPeriodInDays=${period}, allowed ${allowed} (${source})`,
        fix: `EnableKeyRotation with RotationPeriodInDays=${allowed}`,
      },
    ];
  },
};
