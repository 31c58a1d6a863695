import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
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
    key = toKeyInput(input, source);
  } catch (error) {
    if (error instanceof KeyplaneError) throw error;
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

/**
 * SPKI (what KMS issues) or PKCS#1 RSAPublicKey, each as DER, PEM or base64 of the DER: the same key is
 * read the same way whatever its wrapping. A private key is refused: a wrapping public key comes from
 * GetParametersForImport, and a private key here means files were mixed up.
 */
function toKeyInput(input: Buffer | string, source: string): KeyObject {
  const text = typeof input === "string" ? input : input[0] === 0x30 ? undefined : input.toString("latin1");
  if (text?.includes("-----BEGIN")) {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) throw privateKeyGiven(source);
    return createPublicKey({ key: text, format: "pem" });
  }
  let der: Buffer;
  if (text === undefined) der = input as Buffer;
  else {
    const compact = text.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new Error("neither DER, PEM nor base64");
    der = Buffer.from(compact, "base64");
  }
  if (isPrivateKeyDer(der)) throw privateKeyGiven(source);
  try {
    return createPublicKey({ key: der, format: "der", type: "spki" });
  } catch (spkiError) {
    try {
      return createPublicKey({ key: der, format: "der", type: "pkcs1" });
    } catch {
      throw spkiError;
    }
  }
}

/** DER that node reads as a private key (PKCS#8 or PKCS#1): never a wrapping public key. */
function isPrivateKeyDer(der: Buffer): boolean {
  for (const type of ["pkcs8", "pkcs1"] as const) {
    try {
      createPrivateKey({ key: der, format: "der", type });
      return true;
    } catch {
      // not this form
    }
  }
  return false;
}

function privateKeyGiven(source: string): KeyplaneError {
  return new KeyplaneError(
    "INVALID_INPUT",
    `${source}: holds a private key, expected the wrapping public key (WrappingPublicKey.der from byok params)`,
  );
}
