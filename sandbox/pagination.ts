import type { Input, Output } from "./protocol";
import { errors } from "./protocol";
import { optionalInteger, optionalString } from "./validate";

/**
 * Marker/Limit pagination as KMS does it: an opaque NextMarker while Truncated is true. Markers here encode
 * an offset; anything else is an InvalidMarkerException.
 */
export function paginate<T>(
  items: readonly T[],
  input: Input,
  limits: { default: number; max: number },
): { page: T[]; meta: Output } {
  const limit = optionalInteger(input, "Limit", { min: 1, max: limits.max }) ?? limits.default;
  const marker = optionalString(input, "Marker", { min: 1, max: 1024 });
  let offset = 0;
  if (marker !== undefined) {
    const decoded = /^keyplane:(\d+)$/.exec(Buffer.from(marker, "base64").toString("utf8"));
    if (!decoded) throw errors.invalidMarker(`Invalid marker: ${marker}`);
    offset = Number(decoded[1]);
  }
  const page = items.slice(offset, offset + limit);
  const next = offset + page.length;
  const meta: Output = { Truncated: next < items.length };
  if (next < items.length) meta.NextMarker = Buffer.from(`keyplane:${next}`, "utf8").toString("base64");
  return { page, meta };
}
