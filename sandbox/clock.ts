import { KeyplaneError, usageError } from "../byok/errors";
import { DAY_MS, parseDuration } from "../byok/vocabulary/durations";

/** How far the clock may move from real time: beyond this, dates stop being dates KMS could answer with. */
const MAX_OFFSET_DAYS = 36_500;

function checkedOffset(offsetMs: number, field: string): number {
  if (Math.abs(offsetMs) > MAX_OFFSET_DAYS * DAY_MS) {
    throw new KeyplaneError(
      "USAGE",
      `${field}: the sandbox clock may move at most ${MAX_OFFSET_DAYS} days (100 years) from real time`,
    );
  }
  return offsetMs;
}

/**
 * The sandbox's notion of "now": real time plus an offset that tests move forward (or set) so that imported
 * material expires, rotations fall due and deletion windows end without waiting.
 */
export class Clock {
  private offsetMs: number;

  constructor(offsetMs = 0) {
    this.offsetMs = offsetMs;
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the clock forward by a duration such as `3d` (never backwards). */
  advance(duration: string): void {
    this.offsetMs = checkedOffset(this.offsetMs + parseDuration(duration, "advance"), "advance");
  }

  /** Sets the clock to an ISO 8601 time. */
  set(iso: string): void {
    const target = Date.parse(iso);
    if (Number.isNaN(target)) throw new RangeError(`set: expected an ISO 8601 time, got '${iso}'`);
    this.offsetMs = checkedOffset(target - Date.now(), "set");
  }

  get offset(): number {
    return this.offsetMs;
  }
}

/** `--clock-offset` accepts `3d`, `-3d` or `0`. */
export function parseClockOffset(text: string): number {
  const trimmed = text.trim();
  if (trimmed === "0") return 0;
  const negative = trimmed.startsWith("-");
  let ms: number;
  try {
    ms = parseDuration(negative ? trimmed.slice(1) : trimmed, "--clock-offset");
  } catch (error) {
    // A flag's value: a usage error (exit 2), whichever check refused it.
    throw error instanceof KeyplaneError ? usageError(error.message) : error;
  }
  return checkedOffset(negative ? -ms : ms, "--clock-offset");
}
