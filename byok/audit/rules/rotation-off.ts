import { CONTROL } from "../controls";
import type { KeyRule } from "../model";

export const rotationOff: KeyRule = {
  id: "rotation-off",
  scope: "key",
  severity: "medium",
  description: "Automatic rotation is off on a key KMS can rotate.",
  controls: [CONTROL.kms4, CONTROL.pci374, CONTROL.nistCryptoperiod],
  check(key) {
    if (!key.rotation || key.rotation.enabled || key.metadata.KeyState === "PendingDeletion") return [];
    return [
      {
        evidence: "GetKeyRotationStatus: KeyRotationEnabled=false",
        fix: "EnableKeyRotation with the period the classification demands (RotationPeriodInDays)",
      },
    ];
  },
};
