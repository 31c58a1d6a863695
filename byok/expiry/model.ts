/**
 * The expiry model: pure functions from the materials KMS reports for EXTERNAL keys to days left and a
 * status. No I/O; the CLI fills `ExpiryKeyFacts` (DescribeKey, and ListKeyRotations with
 * IncludeKeyMaterial=ALL_KEY_MATERIAL for symmetric keys, which may hold several materials).
 * AWS's rule: when any material that is not pending rotation expires (an old NON_CURRENT one included), the
 * whole key goes to PendingImport; material pending rotation that expires is only deleted. So every material
 * is reported, and the key's own deadline is the earliest ValidTo of the materials that are not pending.
 * https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-set-expiration.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-delete-key-material.html
 */
import { DAY_MS } from "../vocabulary/durations";

/** One imported material of a key. */
export interface ExpiryMaterialFacts {
  keyMaterialId?: string;
  /** ListKeyRotations KeyMaterialState: CURRENT | NON_CURRENT | PENDING_ROTATION (symmetric keys only). */
  materialState?: string;
  /** IMPORTED | PENDING_IMPORT (deleted or expired material is PENDING_IMPORT again). */
  importState: string;
  /** KEY_MATERIAL_EXPIRES | KEY_MATERIAL_DOES_NOT_EXPIRE. */
  expirationModel?: string;
  validTo?: Date;
}

/** One EXTERNAL key and its materials. */
export interface ExpiryKeyFacts {
  keyArn: string;
  region?: string;
  aliases: readonly string[];
  keySpec: string;
  /** DescribeKey KeyState. */
  keyState: string;
  materials: readonly ExpiryMaterialFacts[];
  /** Tag keyplane:material-validity-days, parsed: the plan wants material to expire. */
  materialValidityDays?: number;
}

export type ExpiryStatus = "ok" | "warning" | "critical" | "expired" | "pending-import";

export interface ExpiryThresholds {
  /** Days left at or below which material is `warning`. Default 30. */
  warningDays?: number;
  /** Days left at or below which material is `critical`. Default 7. */
  criticalDays?: number;
}

export interface ExpiryAssessment {
  keyArn: string;
  region?: string;
  aliases: readonly string[];
  keySpec: string;
  keyMaterialId: string | null;
  materialState: string | null;
  validTo: Date | null;
  /** Whole days left (negative once expired); null when the material does not expire or is not imported. */
  daysLeft: number | null;
  /**
   * When the key itself becomes unusable: the earliest ValidTo of its imported materials that are not pending
   * rotation (the same on every row of one key); null when none of them expires.
   */
  keyValidTo: Date | null;
  status: ExpiryStatus;
  /** What to do, one sentence. */
  action: string;
}

/** Every material of every key, assessed at `now`; sorted most urgent first. */
export function assessExpiry(
  keys: readonly ExpiryKeyFacts[],
  now: Date,
  thresholds: ExpiryThresholds = {},
): ExpiryAssessment[] {
  const warningDays = thresholds.warningDays ?? 30;
  const criticalDays = thresholds.criticalDays ?? 7;
  const rows = keys.flatMap((key) => {
    const materials = key.materials.length > 0 ? key.materials : [{ importState: "PENDING_IMPORT" }];
    const keyValidTo = keyDeadline(key.materials);
    return materials.map((material) => ({
      ...assessMaterial(key, material, now, warningDays, criticalDays),
      keyValidTo,
    }));
  });
  const rank: Record<ExpiryStatus, number> = {
    expired: 0,
    "pending-import": 1,
    critical: 2,
    warning: 3,
    ok: 4,
  };
  return rows.sort(
    (a, b) =>
      rank[a.status] - rank[b.status] ||
      (a.daysLeft ?? Number.POSITIVE_INFINITY) - (b.daysLeft ?? Number.POSITIVE_INFINITY) ||
      a.keyArn.localeCompare(b.keyArn),
  );
}

/** Pending materials are not permanently associated with the key: their expiry does not stop the key. */
function isPending(material: ExpiryMaterialFacts): boolean {
  return (
    material.materialState === "PENDING_ROTATION" ||
    material.materialState === "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
  );
}

function keyDeadline(materials: readonly ExpiryMaterialFacts[]): Date | null {
  const times = materials
    .filter((material) => !isPending(material) && material.importState === "IMPORTED")
    .map((material) => material.validTo?.getTime())
    .filter((time): time is number => time !== undefined);
  return times.length > 0 ? new Date(Math.min(...times)) : null;
}

function assessMaterial(
  key: ExpiryKeyFacts,
  material: ExpiryMaterialFacts,
  now: Date,
  warningDays: number,
  criticalDays: number,
): Omit<ExpiryAssessment, "keyValidTo"> {
  const base = {
    keyArn: key.keyArn,
    ...(key.region ? { region: key.region } : {}),
    aliases: key.aliases,
    keySpec: key.keySpec,
    keyMaterialId: material.keyMaterialId ?? null,
    materialState: material.materialState ?? null,
  };
  if (material.importState === "PENDING_IMPORT") {
    const expired = material.validTo !== undefined && material.validTo.getTime() <= now.getTime();
    return {
      ...base,
      // KMS still lists a material state (CURRENT) for material it deleted at expiry; nothing is imported,
      // so there is no material state to show next to pending-import (as for keys that list no material).
      materialState: null,
      validTo: material.validTo ?? null,
      daysLeft: material.validTo ? daysLeft(material.validTo, now) : null,
      status: expired ? "expired" : "pending-import",
      action: expired
        ? "material expired and was deleted: re-import the same material from escrow (keyplane byok escrow combine, then import)"
        : "import key material (keyplane byok ceremony)",
    };
  }
  if (material.expirationModel !== "KEY_MATERIAL_EXPIRES" || material.validTo === undefined) {
    const policy = key.materialValidityDays;
    return {
      ...base,
      validTo: null,
      daysLeft: null,
      status: policy !== undefined ? "warning" : "ok",
      action:
        policy !== undefined
          ? `material never expires, but keyplane:material-validity-days asks for ${policy} days: re-import it with an expiry`
          : "none: the material does not expire",
    };
  }
  const left = daysLeft(material.validTo, now);
  const remainingMs = material.validTo.getTime() - now.getTime();
  const status: ExpiryStatus =
    remainingMs <= 0 ? "expired" : left <= criticalDays ? "critical" : left <= warningDays ? "warning" : "ok";
  return {
    ...base,
    validTo: material.validTo,
    daysLeft: left,
    status,
    action: expiringAction(status, isPending(material)),
  };
}

function expiringAction(status: ExpiryStatus, pending: boolean): string {
  if (status === "ok") return "none";
  if (pending) {
    return status === "expired"
      ? "new material pending rotation expired and was deleted: import new material again (the key itself is not affected)"
      : "rotate to this pending material (RotateKeyOnDemand) before it expires, or it is deleted";
  }
  return status === "expired"
    ? "re-import the same material from escrow; the key is unusable until then"
    : "renew: re-import the same material with a later ValidTo (import type existing); when any material that is not pending rotation expires, the whole key goes to PendingImport";
}

function daysLeft(validTo: Date, now: Date): number {
  return Math.floor((validTo.getTime() - now.getTime()) / DAY_MS);
}

/** Whether any material needs a person (exit code 3). */
export function expiryNeedsAttention(assessments: readonly ExpiryAssessment[]): boolean {
  return assessments.some((assessment) => assessment.status !== "ok");
}
