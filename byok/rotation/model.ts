/**
 * The rotation model: pure functions from what KMS reports about a key (plus its keyplane tags) to its
 * rotation mode, due date, status and the action a runbook takes. No I/O; the CLI fills `RotationKeyFacts`.
 * https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys.html
 */
import { DAY_MS, ROTATION_DAYS } from "../vocabulary/kms-limits";

/** One key, as DescribeKey, GetKeyRotationStatus, ListKeyRotations, ListAliases and ListResourceTags report it. */
export interface RotationKeyFacts {
  keyArn: string;
  region?: string;
  /** Alias names pointing at the key (`alias/...`): manual rotation moves one to a new key. */
  aliases: readonly string[];
  /** DescribeKey KeySpec, e.g. SYMMETRIC_DEFAULT, HMAC_256, RSA_4096. */
  keySpec: string;
  /** DescribeKey KeyUsage, e.g. ENCRYPT_DECRYPT. */
  keyUsage: string;
  /** DescribeKey Origin: AWS_KMS | EXTERNAL | AWS_CLOUDHSM | EXTERNAL_KEY_STORE. */
  origin: string;
  /** DescribeKey KeyState: Enabled, Disabled, PendingImport, PendingDeletion, ... */
  keyState: string;
  /** DescribeKey CreationDate: the start of the rotation clock for a key never rotated. */
  creationDate: Date;
  /** DescribeKey MultiRegionConfiguration.MultiRegionKeyType, when multi-Region. */
  multiRegionRole?: "PRIMARY" | "REPLICA";
  /** GetKeyRotationStatus KeyRotationEnabled (false for keys that cannot rotate automatically). */
  automaticRotationEnabled: boolean;
  /** GetKeyRotationStatus RotationPeriodInDays. */
  rotationPeriodDays?: number;
  /** GetKeyRotationStatus NextRotationDate. */
  nextRotationDate?: Date;
  /** Latest RotationDate in ListKeyRotations (automatic or on demand). */
  lastRotationDate?: Date;
  /** Imported symmetric keys: a material imported as NEW_KEY_MATERIAL, waiting for RotateKeyOnDemand. */
  pendingMaterialId?: string;
  /** Tag keyplane:rotation-days, parsed (undefined when missing or not a number). */
  rotationDays?: number;
  /** DescribeKey ValidTo of imported material: in the past once the material expired (and was deleted). */
  validTo?: Date;
}

/**
 * - automatic: KMS rotates symmetric encryption keys it generated (EnableKeyRotation, 90-2560 days).
 * - on-demand: imported symmetric encryption keys: import new material (NEW_KEY_MATERIAL), then RotateKeyOnDemand.
 * - manual: HMAC, asymmetric and CloudHSM keys: create a new key and move the alias to it.
 * - not-rotatable: nothing to do here (replica, external key store, no material, pending deletion).
 */
export type RotationMode = "automatic" | "on-demand" | "manual" | "not-rotatable";
/**
 * `attention`: the key cannot be used at all, whatever its schedule: imported material expired, or an
 * EXTERNAL key never got any. The expiry report says the same (`expired`, `pending-import`).
 */
export type RotationStatus = "ok" | "due" | "overdue" | "misconfigured" | "attention";

export type RotationActionKind =
  | "none"
  | "enable-automatic-rotation"
  | "import-and-rotate-on-demand"
  | "rotate-on-demand"
  | "create-key-and-swap-alias"
  | "fix-tags";

export interface RotationAction {
  kind: RotationActionKind;
  /** One sentence for the runbook. */
  description: string;
}

export interface RotationAssessment {
  keyArn: string;
  region?: string;
  mode: RotationMode;
  /** Why the mode (and status) is what it is, one short phrase. */
  reason: string;
  lastRotation: Date | null;
  nextDue: Date | null;
  /** Whole days until nextDue (negative when past), null without a due date. */
  daysUntilDue: number | null;
  status: RotationStatus;
  action: RotationAction;
}

export interface RotationOptions {
  now: Date;
  /** A rotation counts as due this many days before its date (the runbook's lead time). Default 14. */
  dueWithinDays?: number;
}

/** AWS's bounds for RotationPeriodInDays. https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html */
export const AUTOMATIC_ROTATION_DAYS = { min: 90, max: 2560 } as const;

export function rotationMode(key: RotationKeyFacts): { mode: RotationMode; reason: string } {
  if (key.keyState === "PendingDeletion" || key.keyState === "PendingReplicaDeletion") {
    return { mode: "not-rotatable", reason: "pending deletion" };
  }
  if (key.keyState === "PendingImport")
    return { mode: "not-rotatable", reason: "no key material imported yet" };
  if (key.multiRegionRole === "REPLICA")
    return { mode: "not-rotatable", reason: "a replica rotates with its primary key" };
  if (key.origin === "EXTERNAL_KEY_STORE") {
    return { mode: "not-rotatable", reason: "external key store keys rotate in the external key manager" };
  }
  const symmetricEncryption = key.keySpec === "SYMMETRIC_DEFAULT" && key.keyUsage === "ENCRYPT_DECRYPT";
  if (symmetricEncryption && key.origin === "AWS_KMS")
    return { mode: "automatic", reason: "KMS-generated symmetric key" };
  if (symmetricEncryption && key.origin === "EXTERNAL") {
    return { mode: "on-demand", reason: "imported symmetric key: new material, then RotateKeyOnDemand" };
  }
  return {
    mode: "manual",
    reason:
      key.origin === "AWS_CLOUDHSM"
        ? "CloudHSM key store keys rotate manually"
        : `${key.keySpec} keys rotate manually`,
  };
}

/** The rotation assessment of one key at `options.now`. */
export function assessRotation(key: RotationKeyFacts, options: RotationOptions): RotationAssessment {
  const { mode, reason } = rotationMode(key);
  const lastRotation = key.lastRotationDate ?? null;
  const base = { keyArn: key.keyArn, ...(key.region ? { region: key.region } : {}), mode, lastRotation };
  const none = (description: string): RotationAction => ({ kind: "none", description });
  if (key.keyState === "PendingImport" && key.origin === "EXTERNAL") {
    const expired = key.validTo !== undefined && key.validTo.getTime() <= options.now.getTime();
    return {
      ...base,
      reason: expired
        ? `imported material expired ${key.validTo?.toISOString()}; the key is unusable`
        : "no key material (none imported yet, or it expired and was deleted); the key is unusable",
      nextDue: null,
      daysUntilDue: null,
      status: "attention",
      action: none(
        expired
          ? "re-import the same material from escrow (keyplane expiry renew)"
          : "import key material (keyplane byok ceremony)",
      ),
    };
  }
  if (mode === "not-rotatable") {
    return {
      ...base,
      reason,
      nextDue: null,
      daysUntilDue: null,
      status: "ok",
      action: none(`nothing to rotate: ${reason}`),
    };
  }
  const days = key.rotationDays;
  if (days === undefined || days <= 0) {
    if (mode === "automatic" && key.automaticRotationEnabled) {
      const nextDue = key.nextRotationDate ?? null;
      return {
        ...base,
        reason: `${reason}; no keyplane:rotation-days tag, KMS period kept`,
        nextDue,
        daysUntilDue: nextDue ? daysUntil(nextDue, options.now) : null,
        status: "ok",
        action: none(
          `KMS rotates automatically every ${key.rotationPeriodDays ?? ROTATION_DAYS.default} days`,
        ),
      };
    }
    return {
      ...base,
      reason: `${reason}; the keyplane:rotation-days tag is missing or not a number`,
      nextDue: null,
      daysUntilDue: null,
      status: "misconfigured",
      action: {
        kind: "fix-tags",
        description: "tag the key with keyplane:rotation-days (the plan's rotation period)",
      },
    };
  }
  if (mode === "automatic") return assessAutomatic(key, days, options, { ...base, reason });
  const clockStart = lastRotation ?? key.creationDate;
  const nextDue = new Date(clockStart.getTime() + days * DAY_MS);
  const daysUntilDue = daysUntil(nextDue, options.now);
  const status = dueStatus(nextDue, options);
  const assessment = { ...base, reason, nextDue, daysUntilDue, status };
  if (mode === "manual" && key.aliases.length === 0) {
    return {
      ...assessment,
      status: "misconfigured",
      reason: `${reason}, but no alias points at the key, so callers cannot be moved to a new one`,
      action: {
        kind: "fix-tags",
        description: "give the key an alias and have callers use it before rotating",
      },
    };
  }
  if (status === "ok") return { ...assessment, action: none(`next rotation due in ${daysUntilDue} days`) };
  if (mode === "on-demand") {
    return {
      ...assessment,
      action: key.pendingMaterialId
        ? {
            kind: "rotate-on-demand",
            description: `RotateKeyOnDemand: material ${key.pendingMaterialId} is already imported`,
          }
        : {
            kind: "import-and-rotate-on-demand",
            description:
              "generate new material, escrow it, import it with --import-type new (NEW_KEY_MATERIAL), then RotateKeyOnDemand",
          },
    };
  }
  return {
    ...assessment,
    action: {
      kind: "create-key-and-swap-alias",
      description: `create a new ${key.keySpec} key, point ${key.aliases.join(", ")} at it, keep the old key for decrypt/verify`,
    },
  };
}

function assessAutomatic(
  key: RotationKeyFacts,
  days: number,
  options: RotationOptions,
  base: Omit<RotationAssessment, "nextDue" | "daysUntilDue" | "status" | "action">,
): RotationAssessment {
  const enable: RotationAction = {
    kind: "enable-automatic-rotation",
    description: `EnableKeyRotation with RotationPeriodInDays ${days}`,
  };
  if (days < AUTOMATIC_ROTATION_DAYS.min || days > AUTOMATIC_ROTATION_DAYS.max) {
    return {
      ...base,
      reason: `keyplane:rotation-days ${days} is outside KMS's ${AUTOMATIC_ROTATION_DAYS.min}-${AUTOMATIC_ROTATION_DAYS.max} days`,
      nextDue: null,
      daysUntilDue: null,
      status: "misconfigured",
      action: {
        kind: "fix-tags",
        description: `set keyplane:rotation-days between ${AUTOMATIC_ROTATION_DAYS.min} and ${AUTOMATIC_ROTATION_DAYS.max}`,
      },
    };
  }
  if (!key.automaticRotationEnabled) {
    return {
      ...base,
      reason: `${base.reason}; automatic rotation is off`,
      nextDue: null,
      daysUntilDue: null,
      status: "misconfigured",
      action: enable,
    };
  }
  if (key.rotationPeriodDays !== undefined && key.rotationPeriodDays !== days) {
    return {
      ...base,
      reason: `${base.reason}; KMS rotates every ${key.rotationPeriodDays} days, the tag asks for ${days}`,
      nextDue: key.nextRotationDate ?? null,
      daysUntilDue: key.nextRotationDate ? daysUntil(key.nextRotationDate, options.now) : null,
      status: "misconfigured",
      action: enable,
    };
  }
  const nextDue = key.nextRotationDate ?? null;
  // KMS rotates on its own; a next date more than a day in the past means it did not.
  const late = nextDue !== null && options.now.getTime() - nextDue.getTime() > DAY_MS;
  return {
    ...base,
    nextDue,
    daysUntilDue: nextDue ? daysUntil(nextDue, options.now) : null,
    status: late ? "overdue" : "ok",
    action: late
      ? {
          kind: "rotate-on-demand",
          description: "KMS has not rotated on schedule: RotateKeyOnDemand, and check the key's state",
        }
      : { kind: "none", description: `KMS rotates automatically every ${days} days` },
  };
}

function daysUntil(date: Date, now: Date): number {
  return Math.floor((date.getTime() - now.getTime()) / DAY_MS);
}

function dueStatus(nextDue: Date, options: RotationOptions): RotationStatus {
  const left = nextDue.getTime() - options.now.getTime();
  if (left <= 0) return "overdue";
  return left <= (options.dueWithinDays ?? 14) * DAY_MS ? "due" : "ok";
}

/** Assessments of many keys, sorted most urgent first (attention, overdue, due, misconfigured, ok), then by date. */
export function assessRotations(
  keys: readonly RotationKeyFacts[],
  options: RotationOptions,
): RotationAssessment[] {
  const rank: Record<RotationStatus, number> = { attention: 0, overdue: 1, due: 2, misconfigured: 3, ok: 4 };
  return keys
    .map((key) => assessRotation(key, options))
    .sort(
      (a, b) =>
        rank[a.status] - rank[b.status] ||
        (a.nextDue?.getTime() ?? Number.POSITIVE_INFINITY) -
          (b.nextDue?.getTime() ?? Number.POSITIVE_INFINITY) ||
        a.keyArn.localeCompare(b.keyArn),
    );
}

/** Whether any assessment needs a person (exit code 3). */
export function rotationNeedsAttention(assessments: readonly RotationAssessment[]): boolean {
  return assessments.some((assessment) => assessment.status !== "ok");
}
