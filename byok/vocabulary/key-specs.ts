/**
 * Key specs KMS accepts, and what keyplane needs to know about each: usage, whether material can be
 * imported, whether KMS rotates it automatically.
 * https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
 */
export const KEY_SPECS = [
  "SYMMETRIC_DEFAULT",
  "HMAC_224",
  "HMAC_256",
  "HMAC_384",
  "HMAC_512",
  "RSA_2048",
  "RSA_3072",
  "RSA_4096",
  "ECC_NIST_P256",
  "ECC_NIST_P384",
  "ECC_NIST_P521",
  "ECC_SECG_P256K1",
] as const;
export type KeySpec = (typeof KEY_SPECS)[number];

export const KEY_USAGES = ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC"] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export type KeyFamily = "symmetric" | "hmac" | "rsa" | "ecc";

export interface KeySpecInfo {
  family: KeyFamily;
  /** Usages KMS allows for this spec; the first is the default. */
  usages: readonly KeyUsage[];
  /** Raw material length in bytes that keyplane generates for symmetric/HMAC specs. */
  rawLength?: number;
  /**
   * Raw material lengths (bytes, inclusive) KMS accepts on import: exactly 32 for SYMMETRIC_DEFAULT, a range
   * for HMAC specs.
   */
  importLengths?: { min: number; max: number };
  /** RSA modulus bits. */
  modulusBits?: number;
  /** node:crypto / OpenSSL curve name for ECC specs. */
  curve?: "prime256v1" | "secp384r1" | "secp521r1" | "secp256k1";
  /** Hash used for HMAC specs. */
  hash?: "sha224" | "sha256" | "sha384" | "sha512";
  /** KMS rotates only symmetric encryption keys automatically (including imported via on-demand). */
  autoRotatable: boolean;
}

export const KEY_SPEC_INFO: Readonly<Record<KeySpec, KeySpecInfo>> = {
  SYMMETRIC_DEFAULT: {
    family: "symmetric",
    usages: ["ENCRYPT_DECRYPT"],
    rawLength: 32,
    importLengths: { min: 32, max: 32 },
    autoRotatable: true,
  },
  // Imported HMAC material may be anywhere from the hash's output length up to its block size:
  // HMAC_224 28–64, HMAC_256 32–64, HMAC_384 48–128, HMAC_512 64–128 bytes. keyplane generates the shortest.
  // https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-conceptual.html#importing-keys-material-requirements
  HMAC_224: {
    family: "hmac",
    usages: ["GENERATE_VERIFY_MAC"],
    rawLength: 28,
    importLengths: { min: 28, max: 64 },
    hash: "sha224",
    autoRotatable: false,
  },
  HMAC_256: {
    family: "hmac",
    usages: ["GENERATE_VERIFY_MAC"],
    rawLength: 32,
    importLengths: { min: 32, max: 64 },
    hash: "sha256",
    autoRotatable: false,
  },
  HMAC_384: {
    family: "hmac",
    usages: ["GENERATE_VERIFY_MAC"],
    rawLength: 48,
    importLengths: { min: 48, max: 128 },
    hash: "sha384",
    autoRotatable: false,
  },
  HMAC_512: {
    family: "hmac",
    usages: ["GENERATE_VERIFY_MAC"],
    rawLength: 64,
    importLengths: { min: 64, max: 128 },
    hash: "sha512",
    autoRotatable: false,
  },
  RSA_2048: {
    family: "rsa",
    usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
    modulusBits: 2048,
    autoRotatable: false,
  },
  RSA_3072: {
    family: "rsa",
    usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
    modulusBits: 3072,
    autoRotatable: false,
  },
  RSA_4096: {
    family: "rsa",
    usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
    modulusBits: 4096,
    autoRotatable: false,
  },
  ECC_NIST_P256: { family: "ecc", usages: ["SIGN_VERIFY"], curve: "prime256v1", autoRotatable: false },
  ECC_NIST_P384: { family: "ecc", usages: ["SIGN_VERIFY"], curve: "secp384r1", autoRotatable: false },
  ECC_NIST_P521: { family: "ecc", usages: ["SIGN_VERIFY"], curve: "secp521r1", autoRotatable: false },
  ECC_SECG_P256K1: { family: "ecc", usages: ["SIGN_VERIFY"], curve: "secp256k1", autoRotatable: false },
};

export function isKeySpec(value: string): value is KeySpec {
  return (KEY_SPECS as readonly string[]).includes(value);
}

export function isKeyUsage(value: string): value is KeyUsage {
  return (KEY_USAGES as readonly string[]).includes(value);
}
