import type { ExpirationModelType } from "@aws-sdk/client-kms";
import { KeyplaneError, usageError } from "../errors";
import { parseDuration } from "../vocabulary/durations";
import { MAX_VALIDITY_MS } from "../vocabulary/kms-limits";

/** How long imported material lives: one of the three choices of the command line. */
export type MaterialExpiry =
  | { kind: "expires-in"; durationMs: number }
  | { kind: "valid-to"; validTo: Date }
  | { kind: "none" };

/** KMS takes a ValidTo in the future and at most 365 days after the import request (kms-limits.ts). */
export { MAX_VALIDITY_MS };

/** Builds the choice from the three flags; exactly one must be given. */
export function materialExpiryFromFlags(flags: {
  expiresIn?: string | undefined;
  validTo?: string | undefined;
  noExpiry?: boolean | undefined;
}): MaterialExpiry | undefined {
  const given = [flags.expiresIn !== undefined, flags.validTo !== undefined, flags.noExpiry === true];
  if (given.filter(Boolean).length > 1) {
    throw usageError("--expires-in, --valid-to and --no-expiry: give only one");
  }
  // The values come from flags: a bad one is a usage error (exit 2), as the CLI's flag parsers say too.
  if (flags.expiresIn !== undefined) {
    let durationMs: number;
    try {
      durationMs = parseDuration(flags.expiresIn, "--expires-in");
    } catch (error) {
      throw usageError(error instanceof Error ? error.message : String(error));
    }
    return { kind: "expires-in", durationMs };
  }
  if (flags.validTo !== undefined) {
    const validTo = new Date(flags.validTo);
    if (!/^\d{4}-\d{2}-\d{2}/.test(flags.validTo) || Number.isNaN(validTo.getTime())) {
      throw usageError(
        `--valid-to: expected an ISO 8601 time like 2027-01-31T00:00:00Z, got '${flags.validTo}'`,
      );
    }
    return { kind: "valid-to", validTo };
  }
  if (flags.noExpiry === true) return { kind: "none" };
  return undefined;
}

export interface ExpiryFields {
  ExpirationModel: ExpirationModelType;
  ValidTo?: Date;
}

/** The request fields for `expiry` at time `now`, validated against AWS's limits before any call. */
export function expiryFields(expiry: MaterialExpiry, now: Date): ExpiryFields {
  if (expiry.kind === "none") return { ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" };
  const validTo = expiry.kind === "valid-to" ? expiry.validTo : new Date(now.getTime() + expiry.durationMs);
  const field = expiry.kind === "valid-to" ? "--valid-to" : "--expires-in";
  if (Number.isNaN(validTo.getTime())) {
    throw new KeyplaneError("INVALID_INPUT", `${field}: the expiry is not a time KMS can take`);
  }
  if (validTo.getTime() <= now.getTime()) {
    throw new KeyplaneError("INVALID_INPUT", `${field}: the expiry must be in the future`);
  }
  if (validTo.getTime() - now.getTime() > MAX_VALIDITY_MS) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${field}: KMS allows at most 365 days from the import, got ${validTo.toISOString()}`,
      { hint: "use --expires-in 365d or less, or --no-expiry" },
    );
  }
  return { ExpirationModel: "KEY_MATERIAL_EXPIRES", ValidTo: validTo };
}

/** For journals and reports: `2027-01-31T00:00:00.000Z` or `never`. */
export function describeExpiry(fields: ExpiryFields): string {
  return fields.ValidTo ? fields.ValidTo.toISOString() : "never";
}
