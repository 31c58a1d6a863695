/**
 * Wrapping algorithms and wrapping key specs for importing key material, and which may wrap what.
 * https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-get-public-key-and-token.html
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html
 */
import { KeyplaneError } from "../errors";
import type { KeySpec } from "./key-specs";
import { KEY_SPEC_INFO } from "./key-specs";

/** RSAES_PKCS1_V1_5 is deliberately absent: KMS stopped accepting it on 2023-10-10. */
export const WRAPPING_ALGORITHMS = [
  "RSAES_OAEP_SHA_1",
  "RSAES_OAEP_SHA_256",
  "RSA_AES_KEY_WRAP_SHA_1",
  "RSA_AES_KEY_WRAP_SHA_256",
] as const;
export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];

export const DEPRECATED_WRAPPING_ALGORITHMS = ["RSAES_PKCS1_V1_5"] as const;

export const WRAPPING_KEY_SPECS = ["RSA_2048", "RSA_3072", "RSA_4096"] as const;
export type WrappingKeySpec = (typeof WRAPPING_KEY_SPECS)[number];

export interface WrappingAlgorithmInfo {
  /** OAEP hash (also MGF1 hash): AWS uses the same hash for both. */
  oaepHash: "sha1" | "sha256";
  /** RSA_AES_* algorithms wrap material with a fresh AES-256 key (RFC 5649) and OAEP-encrypt that key. */
  aesKeyWrap: boolean;
}

export const WRAPPING_ALGORITHM_INFO: Readonly<Record<WrappingAlgorithm, WrappingAlgorithmInfo>> = {
  RSAES_OAEP_SHA_1: { oaepHash: "sha1", aesKeyWrap: false },
  RSAES_OAEP_SHA_256: { oaepHash: "sha256", aesKeyWrap: false },
  RSA_AES_KEY_WRAP_SHA_1: { oaepHash: "sha1", aesKeyWrap: true },
  RSA_AES_KEY_WRAP_SHA_256: { oaepHash: "sha256", aesKeyWrap: true },
};

export const WRAPPING_KEY_BITS: Readonly<Record<WrappingKeySpec, number>> = {
  RSA_2048: 2048,
  RSA_3072: 3072,
  RSA_4096: 4096,
};

const HASH_BYTES = { sha1: 20, sha256: 32 } as const;

/**
 * Largest message RSAES-OAEP can carry under a modulus of `bits` (RFC 8017 7.1.1: k - 2hLen - 2).
 */
export function oaepCapacity(bits: number, hash: "sha1" | "sha256"): number {
  return bits / 8 - 2 * HASH_BYTES[hash] - 2;
}

/**
 * Largest PKCS#8 DER of each ECC spec that keyplane produces or accepts (with the public key embedded),
 * used to decide whether direct OAEP can carry it. P-521 does not fit RSA_2048 (AWS documents this).
 */
export const ECC_PKCS8_MAX_BYTES: Readonly<Partial<Record<KeySpec, number>>> = {
  ECC_NIST_P256: 138,
  ECC_SECG_P256K1: 135,
  ECC_NIST_P384: 185,
  ECC_NIST_P521: 241,
};

/**
 * Whether `algorithm` with a `wrappingKeySpec` wrapping key may carry material of `keySpec`. AWS documents
 * (GetParametersForImport, WrappingAlgorithm and WrappingKeySpec):
 * - RSA_AES_KEY_WRAP_SHA_1/256: any material, with any wrapping key spec.
 * - RSAES_OAEP_SHA_1/256: all material except RSA private keys; not ECC_NIST_P521 under an RSA_2048 wrapping
 *   key (its PKCS#8 exceeds OAEP's capacity, k - 2hLen - 2 bytes).
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html#KMS-GetParametersForImport-request-WrappingAlgorithm
 * SM2 material is importable only in the China Regions and is deliberately not in KEY_SPECS.
 */
export function canWrap(
  keySpec: KeySpec,
  algorithm: WrappingAlgorithm,
  wrappingKeySpec: WrappingKeySpec,
): boolean {
  const info = WRAPPING_ALGORITHM_INFO[algorithm];
  const family = KEY_SPEC_INFO[keySpec].family;
  // RSA private keys are too large for direct OAEP: AWS requires an RSA_AES algorithm.
  if (family === "rsa") return info.aesKeyWrap;
  if (info.aesKeyWrap) return true;
  const size = KEY_SPEC_INFO[keySpec].rawLength ?? ECC_PKCS8_MAX_BYTES[keySpec] ?? Number.POSITIVE_INFINITY;
  return size <= oaepCapacity(WRAPPING_KEY_BITS[wrappingKeySpec], info.oaepHash);
}

/** Every (algorithm, wrapping key spec) pair that may wrap `keySpec`, recommended first. */
export function wrappingChoices(
  keySpec: KeySpec,
): { algorithm: WrappingAlgorithm; wrappingKeySpec: WrappingKeySpec }[] {
  const choices: { algorithm: WrappingAlgorithm; wrappingKeySpec: WrappingKeySpec }[] = [];
  for (const algorithm of recommendedAlgorithmsFirst(keySpec)) {
    for (const wrappingKeySpec of [...WRAPPING_KEY_SPECS].reverse()) {
      if (canWrap(keySpec, algorithm, wrappingKeySpec)) choices.push({ algorithm, wrappingKeySpec });
    }
  }
  return choices;
}

/** AWS recommends RSA_AES_KEY_WRAP_SHA_256 for asymmetric material and RSAES_OAEP_SHA_256 otherwise. */
function recommendedAlgorithmsFirst(keySpec: KeySpec): WrappingAlgorithm[] {
  const family = KEY_SPEC_INFO[keySpec].family;
  return family === "rsa" || family === "ecc"
    ? ["RSA_AES_KEY_WRAP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"]
    : ["RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_256", "RSAES_OAEP_SHA_1", "RSA_AES_KEY_WRAP_SHA_1"];
}

export function isWrappingAlgorithm(value: string): value is WrappingAlgorithm {
  return (WRAPPING_ALGORITHMS as readonly string[]).includes(value);
}

export function isWrappingKeySpec(value: string): value is WrappingKeySpec {
  return (WRAPPING_KEY_SPECS as readonly string[]).includes(value);
}

/** Refuses what AWS refuses (RSA material needs RSA_AES; P-521 does not fit OAEP under RSA_2048), naming the allowed choices. */
export function assertWrappingCombination(
  keySpec: KeySpec,
  algorithm: WrappingAlgorithm,
  wrappingKeySpec: WrappingKeySpec,
  /** USAGE when all three came from flags (a wrong combination of flags, exit 2). */
  code: "INVALID_INPUT" | "USAGE" = "INVALID_INPUT",
): void {
  if (canWrap(keySpec, algorithm, wrappingKeySpec)) return;
  const allowed = wrappingChoices(keySpec)
    .map((choice) => `${choice.algorithm}/${choice.wrappingKeySpec}`)
    .join(", ");
  throw new KeyplaneError(
    code,
    `${algorithm} with an ${wrappingKeySpec} wrapping key cannot carry ${keySpec} material (allowed: ${allowed})`,
  );
}
