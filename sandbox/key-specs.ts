import type { KeySpec } from "../byok/vocabulary/key-specs";

/**
 * What AWS KMS allows for each key spec, written from AWS's documentation for the sandbox alone (keyplane's
 * own KEY_SPEC_INFO makes its decisions; the sandbox must not share them, or a mistake there could never
 * show up in a rehearsal).
 * https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-conceptual.html (imported HMAC lengths)
 */

/** Every KeyUsageType of AWS's service model (2026); ENCAPSULATE_DECAPSULATE fits no spec the sandbox makes. */
export const KEY_USAGE_TYPES = [
  "ENCAPSULATE_DECAPSULATE",
  "ENCRYPT_DECRYPT",
  "GENERATE_VERIFY_MAC",
  "KEY_AGREEMENT",
  "SIGN_VERIFY",
] as const;
export type SandboxKeyUsage = (typeof KEY_USAGE_TYPES)[number];

/**
 * Every KeySpec AWS's service model knows (2026), so the front end's enum check lets through what AWS lets
 * through; the sandbox then refuses the ones it cannot make as UnsupportedOperationException.
 */
export const AWS_KEY_SPECS = [
  "ECC_NIST_EDWARDS25519",
  "ECC_NIST_P256",
  "ECC_NIST_P384",
  "ECC_NIST_P521",
  "ECC_SECG_P256K1",
  "HMAC_224",
  "HMAC_256",
  "HMAC_384",
  "HMAC_512",
  "ML_DSA_44",
  "ML_DSA_65",
  "ML_DSA_87",
  "ML_KEM_1024",
  "ML_KEM_512",
  "ML_KEM_768",
  "RSA_2048",
  "RSA_3072",
  "RSA_4096",
  "SM2",
  "SYMMETRIC_DEFAULT",
] as const;

/** CustomerMasterKeySpec (deprecated) in AWS's service model. */
export const AWS_CUSTOMER_MASTER_KEY_SPECS = [
  "ECC_NIST_P256",
  "ECC_NIST_P384",
  "ECC_NIST_P521",
  "ECC_SECG_P256K1",
  "HMAC_224",
  "HMAC_256",
  "HMAC_384",
  "HMAC_512",
  "RSA_2048",
  "RSA_3072",
  "RSA_4096",
  "SM2",
  "SYMMETRIC_DEFAULT",
] as const;

export type SpecFamily = "symmetric" | "hmac" | "rsa" | "ecc";

interface SpecRule {
  family: SpecFamily;
  usages: readonly SandboxKeyUsage[];
  /** Bytes KMS generates for symmetric and HMAC keys. */
  generatedBytes?: number;
  /** Length range of imported symmetric or HMAC material, in bytes. */
  importedBytes?: { min: number; max: number };
  modulusBits?: number;
  /** node:crypto curve name. */
  curve?: string;
  /** HMAC hash, and the only MAC algorithm of the spec. */
  hash?: "sha224" | "sha256" | "sha384" | "sha512";
  macAlgorithm?: string;
}

export const SPEC_RULES: Readonly<Record<KeySpec, SpecRule>> = {
  SYMMETRIC_DEFAULT: {
    family: "symmetric",
    usages: ["ENCRYPT_DECRYPT"],
    generatedBytes: 32,
    importedBytes: { min: 32, max: 32 },
  },
  HMAC_224: {
    family: "hmac",
    usages: ["GENERATE_VERIFY_MAC"],
    generatedBytes: 28,
    importedBytes: { min: 28, max: 64 },
    hash: "sha224",
    macAlgorithm: "HMAC_SHA_224",
  },
  HMAC_256: {
    family: "hmac",
    usages: ["GENERATE_VERIFY_MAC"],
    generatedBytes: 32,
    importedBytes: { min: 32, max: 64 },
    hash: "sha256",
    macAlgorithm: "HMAC_SHA_256",
  },
  HMAC_384: {
    family: "hmac",
    usages: ["GENERATE_VERIFY_MAC"],
    generatedBytes: 48,
    importedBytes: { min: 48, max: 128 },
    hash: "sha384",
    macAlgorithm: "HMAC_SHA_384",
  },
  HMAC_512: {
    family: "hmac",
    usages: ["GENERATE_VERIFY_MAC"],
    generatedBytes: 64,
    importedBytes: { min: 64, max: 128 },
    hash: "sha512",
    macAlgorithm: "HMAC_SHA_512",
  },
  RSA_2048: { family: "rsa", usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"], modulusBits: 2048 },
  RSA_3072: { family: "rsa", usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"], modulusBits: 3072 },
  RSA_4096: { family: "rsa", usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"], modulusBits: 4096 },
  ECC_NIST_P256: { family: "ecc", usages: ["SIGN_VERIFY", "KEY_AGREEMENT"], curve: "prime256v1" },
  ECC_NIST_P384: { family: "ecc", usages: ["SIGN_VERIFY", "KEY_AGREEMENT"], curve: "secp384r1" },
  ECC_NIST_P521: { family: "ecc", usages: ["SIGN_VERIFY", "KEY_AGREEMENT"], curve: "secp521r1" },
  ECC_SECG_P256K1: { family: "ecc", usages: ["SIGN_VERIFY"], curve: "secp256k1" },
};

export function isSandboxSpec(spec: string): spec is KeySpec {
  return Object.hasOwn(SPEC_RULES, spec);
}

export function familyOf(spec: KeySpec): SpecFamily {
  return SPEC_RULES[spec].family;
}

/** Largest message RSAES-OAEP carries under a modulus of `bits` (RFC 8017 7.1.1: k - 2hLen - 2). */
export function oaepMaxBytes(bits: number, hash: "sha1" | "sha256"): number {
  return bits / 8 - 2 * (hash === "sha1" ? 20 : 32) - 2;
}
