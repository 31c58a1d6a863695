import { KeyplaneError } from "./errors";
import { checkValue } from "./kcv";
import { KeyMaterial } from "./material/key-material";
import { KEY_SPEC_INFO, type KeySpec } from "./vocabulary/key-specs";

/** One custodian's component as they typed it, and its check value for them to compare. */
export interface ComponentCheck {
  /** 1-based position, as custodians number themselves. */
  index: number;
  checkValue: string;
}

export interface CombinedComponents {
  material: KeyMaterial;
  components: ComponentCheck[];
}

/**
 * Check value of one hex component (whitespace ignored, so custodians may type it in groups). Validated
 * like `combineComponents`; the bytes are zeroed before returning.
 */
export function componentCheckValue(keySpec: KeySpec, hex: string, label = "component"): string {
  const bytes = componentBytes(keySpec, hex, label);
  try {
    return checkValue(keySpec, bytes).value;
  } finally {
    bytes.fill(0);
  }
}

/**
 * XOR-combines N >= 2 custodian components (hex) into material for a SYMMETRIC_DEFAULT or HMAC spec, so no
 * single custodian ever knows the key (split knowledge, PCI PIN Security requirement 6). Each component's
 * check value is returned beside the result's so every custodian can confirm what they entered.
 */
export function combineComponents(keySpec: KeySpec, hexComponents: readonly string[]): CombinedComponents {
  if (KEY_SPEC_INFO[keySpec].rawLength === undefined) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `key spec ${keySpec}: components apply to SYMMETRIC_DEFAULT and HMAC specs only (asymmetric keys cannot be XOR-split)`,
    );
  }
  if (hexComponents.length < 2) {
    throw new KeyplaneError("INVALID_INPUT", `components: expected at least 2, got ${hexComponents.length}`);
  }
  const parts = hexComponents.map((hex, i) => componentBytes(keySpec, hex, `component ${i + 1}`));
  try {
    const components = parts.map((bytes, i) => ({
      index: i + 1,
      checkValue: checkValue(keySpec, bytes).value,
    }));
    const combined = Buffer.alloc(parts[0]?.length ?? 0);
    for (const part of parts) {
      for (let i = 0; i < combined.length; i += 1) combined[i] = (combined[i] ?? 0) ^ (part[i] ?? 0);
    }
    return { material: new KeyMaterial(keySpec, combined), components };
  } finally {
    for (const part of parts) part.fill(0);
  }
}

function componentBytes(keySpec: KeySpec, hex: string, label: string): Buffer {
  const length = KEY_SPEC_INFO[keySpec].rawLength;
  const compact = hex.replace(/\s+/g, "");
  if (length === undefined || !/^[0-9a-fA-F]*$/.test(compact) || compact.length !== length * 2) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${label}: expected ${length === undefined ? "a symmetric or HMAC key spec" : `${length * 2} hex characters for ${keySpec}`}, got ${compact.length} characters${/^[0-9a-fA-F]*$/.test(compact) ? "" : " (not hex)"}`,
    );
  }
  return Buffer.from(compact, "hex");
}
