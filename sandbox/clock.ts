import { parseDuration } from "../byok/vocabulary/durations";

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
    this.offsetMs += parseDuration(duration, "advance");
  }

  /** Sets the clock to an ISO 8601 time. */
  set(iso: string): void {
    const target = Date.parse(iso);
    if (Number.isNaN(target)) throw new RangeError(`set: expected an ISO 8601 time, got '${iso}'`);
    this.offsetMs = target - Date.now();
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
  const ms = parseDuration(negative ? trimmed.slice(1) : trimmed, "--clock-offset");
  return negative ? -ms : ms;
}
