import { createPublicKey, type KeyObject } from "node:crypto";
import { KeyplaneError } from "../errors";
import { publicKeyFingerprint } from "../kcv";
import { WRAPPING_KEY_BITS, WRAPPING_KEY_SPECS, type WrappingKeySpec } from "../vocabulary/wrapping";

/** A KMS wrapping public key, parsed once so that bulk wrapping does not parse it per call. */
export interface WrappingPublicKey {
  readonly key: KeyObject;
  /** SubjectPublicKeyInfo DER, as GetParametersForImport returns it (WrappingPublicKey.der). */
  readonly spkiDer: Buffer;
  /** SHA-256 hex of `spkiDer`. */
  readonly fingerprint: string;
  readonly wrappingKeySpec: WrappingKeySpec;
}

export function isWrappingPublicKey(value: unknown): value is WrappingPublicKey {
  return (
    typeof value === "object" &&
    value !== null &&
    "spkiDer" in value &&
    "fingerprint" in value &&
    "key" in value
  );
}

/**
 * Parses a wrapping public key given as SPKI DER, PEM, or base64 of the DER (what the AWS CLI prints), and
 * checks that it is an RSA key of a wrapping key spec KMS issues (and of `expected`, when given).
 * `source` names it in errors (a file name or a flag).
 */
export function parseWrappingPublicKey(
  input: Buffer | string,
  options: { expected?: WrappingKeySpec; source?: string } = {},
): WrappingPublicKey {
  const source = options.source ?? "public key";
  let key: KeyObject;
  try {
    key = createPublicKey(toKeyInput(input));
  } catch (error) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${source}: not an RSA public key (expected SubjectPublicKeyInfo DER, PEM or base64, as GetParametersForImport returns)`,
      { cause: error },
    );
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${source}: KMS wrapping keys are RSA, got ${key.asymmetricKeyType ?? "an unknown key type"}`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const spec = WRAPPING_KEY_SPECS.find((candidate) => WRAPPING_KEY_BITS[candidate] === bits);
  if (!spec) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${source}: a ${bits}-bit RSA key is not a KMS wrapping key (expected ${WRAPPING_KEY_SPECS.join(", ")})`,
    );
  }
  if (options.expected && options.expected !== spec) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${source}: the key is ${spec}, but wrapping key spec ${options.expected} was asked for`,
    );
  }
  const spkiDer = key.export({ type: "spki", format: "der" });
  return { key, spkiDer, fingerprint: publicKeyFingerprint(spkiDer), wrappingKeySpec: spec };
}

function toKeyInput(input: Buffer | string): Parameters<typeof createPublicKey>[0] {
  const text = typeof input === "string" ? input : input[0] === 0x30 ? undefined : input.toString("latin1");
  if (text === undefined) return { key: input as Buffer, format: "der", type: "spki" };
  if (text.includes("-----BEGIN")) return { key: text, format: "pem" };
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new Error("neither DER, PEM nor base64");
  return { key: Buffer.from(compact, "base64"), format: "der", type: "spki" };
}
