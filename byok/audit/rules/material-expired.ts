import type { ExpiryAssessment } from "../../expiry/model";
import { CONTROL } from "../controls";
import type { AuditedKey, KeyRule } from "../model";
import { assessMaterials, materialLabel } from "./material-assessment";

/**
 * KMS deletes expired material and forgets its ValidTo: what remains is a material id in PENDING_IMPORT on a
 * key in PendingImport, the same as after DeleteImportedKeyMaterial. Either way data under the key cannot be
 * decrypted until the same material is imported again, so both are reported. A multi-Region replica's
 * material waiting for its first import is not (it never held the material).
 */
function gone(key: AuditedKey, row: ExpiryAssessment): boolean {
  return (
    row.status === "pending-import" &&
    row.keyMaterialId !== null &&
    key.metadata.KeyState === "PendingImport" &&
    key.metadata.MultiRegionConfiguration?.MultiRegionKeyType !== "REPLICA"
  );
}

export const materialExpired: KeyRule = {
  id: "material-expired",
  scope: "key",
  severity: "critical",
  description:
    "Imported key material has expired (or was deleted): data under the key cannot be decrypted until it is re-imported.",
  controls: [CONTROL.pci374, CONTROL.nistCryptoperiod],
  check: (key, settings) =>
    assessMaterials(key, settings.expiringWithinDays).flatMap((row) => {
      if (row.status === "expired") {
        return [
          {
            evidence: `${materialLabel(row)} expired ${row.validTo?.toISOString() ?? ""}; key state ${key.metadata.KeyState}`,
            fix: row.action,
          },
        ];
      }
      if (!gone(key, row)) return [];
      return [
        {
          evidence: `${materialLabel(row)} is no longer present (expired, or deleted); key state PendingImport`,
          fix: "re-import the same material from escrow (keyplane expiry renew); the key is unusable until then",
        },
      ];
    }),
};
