/**
 * KMS's own limits on key settings, and the defaults keyplane picks inside them: one place, read by the
 * plan schema, the constructs and the command line.
 */
import { DAY_MS } from "./durations";

export { DAY_MS };

/**
 * Automatic (and on-demand, as keyplane schedules it) rotation period.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html#KMS-EnableKeyRotation-request-RotationPeriodInDays
 */
export const ROTATION_DAYS = { min: 90, max: 2560, default: 365 } as const;

/**
 * Waiting period before a scheduled deletion; keyplane takes KMS's own default, the longest.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html#KMS-ScheduleKeyDeletion-request-PendingWindowInDays
 */
export const DELETION_WINDOW_DAYS = { min: 7, max: 30, default: 30 } as const;

/**
 * Imported material: ValidTo at most 365 days after the import; keyplane imports for the longest by default.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html#KMS-ImportKeyMaterial-request-ValidTo
 */
export const MATERIAL_VALIDITY_DAYS = { min: 1, max: 365, default: 365 } as const;

/** The same limit in milliseconds: the longest ValidTo after an import, as KMS checks it. */
export const MAX_VALIDITY_MS = MATERIAL_VALIDITY_DAYS.max * DAY_MS;

/** keyplane's alarm on imported material: this many days before it expires (at most its validity). */
export const EXPIRY_WARNING_DAYS = { min: 1, max: MATERIAL_VALIDITY_DAYS.max, default: 30 } as const;

/** Whether `days` is a whole number inside `limits`. */
export function withinDays(days: number, limits: { min: number; max: number }): boolean {
  return Number.isInteger(days) && days >= limits.min && days <= limits.max;
}
