import { KeyplaneError } from "../errors";

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * Parses `30d`, `12h`, `90m`, `45s`, `2w` (one number, one unit) into milliseconds.
 * `field` names where the value came from, for the error.
 */
export function parseDuration(text: string, field: string): number {
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!match) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${field}: expected a duration like 30d, 12h or 2w, got '${text}'`,
    );
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  // `9007199254740993d` parses, but as a number no Date can hold: refuse it here rather than send
  // an Invalid Date to KMS.
  if (!Number.isSafeInteger(ms) || ms > MAX_DURATION_MS) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${field}: expected a duration of at most 100 years, got '${text}'`,
    );
  }
  return ms;
}

/** Longest duration anything in keyplane takes: far beyond KMS's limits, well inside a Date's range. */
const MAX_DURATION_MS = 36_525 * UNIT_MS.d;

export const DAY_MS = UNIT_MS.d;

/** Whole days from `from` to `to`, rounded down; negative when `to` is in the past. */
export function daysBetween(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / DAY_MS);
}
