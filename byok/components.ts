import { timingSafeEqual } from "node:crypto";
import { KeyplaneError } from "./errors";
import { type CheckValue, checkValue } from "./kcv";
import { KeyMaterial } from "./material/key-material";
import { KEY_SPEC_INFO, type KeySpec } from "./vocabulary/key-specs";

/** One custodian's component as they entered it, and its check value for them to compare. */
export interface ComponentCheck {
  /** 1-based position, as custodians number themselves. */
  index: number;
  checkValue: string;
}

export interface CombinedComponents {
  material: KeyMaterial;
  components: ComponentCheck[];
}

/** Component lengths (bytes) allowed for a spec: the lengths KMS imports. Throws for asymmetric specs. */
export function componentLengths(keySpec: KeySpec): { min: number; max: number } {
  const lengths = KEY_SPEC_INFO[keySpec].importLengths;
  if (lengths === undefined) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `key spec ${keySpec}: components apply to SYMMETRIC_DEFAULT and HMAC specs only (asymmetric keys cannot be XOR-split)`,
    );
  }
  return lengths;
}

/**
 * A component as custodians write it: hex digits, whitespace allowed between groups, of a length KMS
 * imports for the spec, or exactly `bytes` long (the later components of a key, which must match the
 * first). Returns fresh bytes the caller zeroes; `label` names the component or its file in errors (never
 * its content).
 */
export function parseComponent(keySpec: KeySpec, text: string, label: string, bytes?: number): Buffer {
  const { min, max } = componentLengths(keySpec);
  const compact = text.replace(/\s+/g, "");
  const expected =
    bytes !== undefined
      ? `${bytes * 2} hex digits, as long as component 1`
      : min === max
        ? `${min * 2} hex digits`
        : `${min * 2} to ${max * 2} hex digits (even)`;
  if (!/^[0-9a-fA-F]*$/.test(compact)) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${label}: a ${keySpec} component must be ${expected}; it holds characters that are not hex digits`,
    );
  }
  const length = compact.length / 2;
  const fits = bytes !== undefined ? length === bytes : length >= min && length <= max;
  if (compact.length % 2 !== 0 || !fits) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${label}: a ${keySpec} component must be ${expected}; got ${compact.length}`,
    );
  }
  return Buffer.from(compact, "hex");
}

/** Check value of one component's bytes (what the custodian compares with their paper record). */
export function componentCheckValue(keySpec: KeySpec, component: Buffer): string {
  componentLengths(keySpec);
  return checkValue(keySpec, component).value;
}

/**
 * Every check value a component form may carry for these bytes: for AES both the CMAC value (ANSI X9.24-1
 * 2017) and the legacy AES-ECB-of-zeros value older HSMs and forms print; for HMAC keys the HMAC value.
 */
export function recordableCheckValues(keySpec: KeySpec, bytes: Buffer): CheckValue[] {
  const primary = checkValue(keySpec, bytes);
  return primary.method === "cmac" ? [primary, checkValue(keySpec, bytes, { legacy: true })] : [primary];
}

/**
 * The check value among `candidates` that a custodian's typed record names: hex compared case-insensitively,
 * spaces ignored. Undefined when none matches.
 */
export function matchRecordedCheckValue(
  candidates: readonly CheckValue[],
  typed: string,
): CheckValue | undefined {
  const recorded = typed.replace(/\s+/g, "").toUpperCase();
  return candidates.find((candidate) => candidate.value.toUpperCase() === recorded);
}

/**
 * XOR-combines N >= 2 custodian components into material for a SYMMETRIC_DEFAULT or HMAC spec, so no single
 * custodian ever knows the key (split knowledge, PCI PIN Security requirement 6). Each component's check
 * value is returned beside the result's so every custodian can confirm what they entered.
 *
 * Refused, because split knowledge would silently fail: components of different lengths, two equal
 * components (they cancel out under XOR: A ⊕ A ⊕ B is B, known to one custodian), and a result that is all
 * zeros or equal to one component (the others cancelled each other). The components are the caller's: they
 * are read, never kept, and the caller zeroes them.
 */
export function combineComponents(keySpec: KeySpec, components: readonly Buffer[]): CombinedComponents {
  const { min, max } = componentLengths(keySpec);
  if (components.length < 2) {
    throw new KeyplaneError("INVALID_INPUT", `components: expected at least 2, got ${components.length}`);
  }
  const length = components[0]?.length ?? 0;
  components.forEach((component, i) => {
    if (component.length < min || component.length > max || component.length !== length) {
      throw new KeyplaneError(
        "INVALID_INPUT",
        `component ${i + 1}: ${component.length} bytes, expected ${length} like component 1 (${keySpec}: ${min}–${max})`,
      );
    }
  });
  for (let i = 0; i < components.length; i += 1) {
    for (let j = i + 1; j < components.length; j += 1) {
      if (timingSafeEqual(components[i] as Buffer, components[j] as Buffer)) {
        throw new KeyplaneError(
          "INVALID_INPUT",
          `components ${i + 1} and ${j + 1} are the same; equal components cancel out under XOR`,
          { hint: "each custodian must bring a component of their own" },
        );
      }
    }
  }
  const checks = components.map((bytes, i) => ({
    index: i + 1,
    checkValue: checkValue(keySpec, bytes).value,
  }));
  const combined = Buffer.alloc(length);
  for (const part of components) {
    for (let i = 0; i < length; i += 1) combined[i] = (combined[i] ?? 0) ^ (part[i] ?? 0);
  }
  const weakness = combined.every((byte) => byte === 0)
    ? "the combined key is all zeros"
    : components.some((part) => timingSafeEqual(part, combined))
      ? "the combined key equals one component (the others cancel out)"
      : undefined;
  if (weakness) {
    combined.fill(0);
    throw new KeyplaneError("INVALID_INPUT", `components: ${weakness}; split knowledge would be lost`, {
      hint: "each custodian must bring an independent random component",
    });
  }
  return { material: new KeyMaterial(keySpec, combined), components: checks };
}
