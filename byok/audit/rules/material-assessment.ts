import { assessExpiry, type ExpiryAssessment } from "../../expiry/model";
import type { AuditedKey } from "../model";

/** Every imported material of an EXTERNAL key, assessed by the expiry model `keyplane expiry` uses. */
export function assessMaterials(key: AuditedKey, warningDays: number): ExpiryAssessment[] {
  if (key.metadata.Origin !== "EXTERNAL" || key.materials.length === 0) return [];
  return assessExpiry(
    [
      {
        keyArn: key.arn,
        region: key.region,
        aliases: key.aliases,
        keySpec: key.metadata.KeySpec ?? "SYMMETRIC_DEFAULT",
        keyState: key.metadata.KeyState ?? "Enabled",
        materials: key.materials,
      },
    ],
    key.observedAt,
    { warningDays, criticalDays: Math.min(7, warningDays) },
  );
}

export function materialLabel(assessment: ExpiryAssessment): string {
  const state = assessment.materialState ? ` ${assessment.materialState}` : "";
  return `material ${assessment.keyMaterialId ?? "(current)"}${state}`;
}
