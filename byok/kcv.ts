/**
 * Key check values: short, non-secret values custodians compare to confirm they hold the same material.
 *
 * - AES (SYMMETRIC_DEFAULT): AES-CMAC of one zero block (the ANSI X9.24-1:2017 method, which replaced
 *   encrypting zeros because it never exposes a block of raw cipher output under the key), shown as its first
 *   3 bytes as custodians compare them. The legacy variant, AES-ECB of a zero block, is available on request
 *   for HSMs that still print it.
 * - HMAC specs: HMAC (with the spec's hash) of one zero block, first 3 bytes.
 * - RSA and ECC: the SHA-256 fingerprint of the public key (SPKI DER), the same value
 *   `openssl pkey -pubout -outform DER | sha256sum` and KMS GetPublicKey give.
 */
import { createCipheriv, createHash, createHmac, createPrivateKey, createPublicKey } from "node:crypto";
import { KeyplaneError } from "./errors";
import { KEY_SPEC_INFO, type KeySpec } from "./vocabulary/key-specs";

const BLOCK = 16;
const CHECK_BYTES = 3;

function aesEcb(key: Buffer): (block: Buffer) => Buffer {
  const name = `aes-${key.length * 8}-ecb`;
  if (![16, 24, 32].includes(key.length)) {
    throw new KeyplaneError("INVALID_INPUT", `AES key: expected 16, 24 or 32 bytes, got ${key.length}`);
  }
  return (block) => {
    const cipher = createCipheriv(name, key, null).setAutoPadding(false);
    return Buffer.concat([cipher.update(block), cipher.final()]);
  };
}

/** Doubling in GF(2^128) (NIST SP 800-38B 6.1: subkey generation, Rb = 0x87). */
function double(block: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i += 1) {
    out[i] = (((block[i] ?? 0) << 1) | ((block[i + 1] ?? 0) >>> 7)) & 0xff;
  }
  if (((block[0] ?? 0) & 0x80) !== 0) out[BLOCK - 1] = (out[BLOCK - 1] ?? 0) ^ 0x87;
  return out;
}

function xorInto(target: Buffer, other: Buffer): void {
  for (let i = 0; i < target.length; i += 1) target[i] = (target[i] ?? 0) ^ (other[i] ?? 0);
}

/**
 * AES-CMAC (NIST SP 800-38B, RFC 4493) built on AES from node:crypto, which exposes no CMAC API. Only the
 * mode is assembled here; the block cipher is OpenSSL's. Checked against the RFC 4493 / SP 800-38B vectors.
 */
export function aesCmac(key: Buffer, message: Buffer): Buffer {
  const encrypt = aesEcb(key);
  const l = encrypt(Buffer.alloc(BLOCK));
  const k1 = double(l);
  const k2 = double(k1);
  const blocks = Math.max(1, Math.ceil(message.length / BLOCK));
  const complete = message.length > 0 && message.length % BLOCK === 0;
  const last = Buffer.alloc(BLOCK);
  message.copy(last, 0, (blocks - 1) * BLOCK);
  if (complete) xorInto(last, k1);
  else {
    last[message.length - (blocks - 1) * BLOCK] = 0x80;
    xorInto(last, k2);
  }
  let state: Buffer = Buffer.alloc(BLOCK);
  for (let i = 0; i < blocks - 1; i += 1) {
    xorInto(state, message.subarray(i * BLOCK, (i + 1) * BLOCK));
    state = encrypt(state);
  }
  xorInto(state, last);
  const tag = encrypt(state);
  for (const secret of [l, k1, k2, last, state]) secret.fill(0);
  return tag;
}

export type CheckValueMethod = "cmac" | "legacy-ecb" | "hmac" | "public-key-sha256";

export interface CheckValue {
  /** Uppercase hex (3 bytes) for AES and HMAC; lowercase SHA-256 hex (32 bytes) for public keys. */
  value: string;
  method: CheckValueMethod;
}

/** The AES KCV of `key` (raw 16/24/32 bytes): CMAC by default, AES-ECB of zeros with `legacy`. */
export function aesCheckValue(key: Buffer, legacy = false): string {
  const zero = Buffer.alloc(BLOCK);
  const full = legacy ? aesEcb(key)(zero) : aesCmac(key, zero);
  return full.subarray(0, CHECK_BYTES).toString("hex").toUpperCase();
}

/** HMAC check value: HMAC-<hash>(key, zero block), first 3 bytes. */
export function hmacCheckValue(key: Buffer, hash: string): string {
  return createHmac(hash, key)
    .update(Buffer.alloc(BLOCK))
    .digest()
    .subarray(0, CHECK_BYTES)
    .toString("hex")
    .toUpperCase();
}

/** SHA-256 hex of a public key's SPKI DER. */
export function publicKeyFingerprint(spkiDer: Buffer): string {
  return createHash("sha256").update(spkiDer).digest("hex");
}

/** SPKI DER of the public half of a PKCS#8 DER private key. */
export function publicKeyOf(pkcs8Der: Buffer): Buffer {
  return createPublicKey(createPrivateKey({ key: pkcs8Der, format: "der", type: "pkcs8" })).export({
    type: "spki",
    format: "der",
  });
}

/**
 * The check value of material of `keySpec` (raw bytes for AES and HMAC, PKCS#8 DER for RSA and ECC).
 * `legacy` applies to AES only.
 */
export function checkValue(keySpec: KeySpec, bytes: Buffer, options: { legacy?: boolean } = {}): CheckValue {
  const info = KEY_SPEC_INFO[keySpec];
  if (options.legacy && info.family !== "symmetric") {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `--legacy: the AES-ECB check value applies to SYMMETRIC_DEFAULT only, not ${keySpec}`,
    );
  }
  switch (info.family) {
    case "symmetric":
      return options.legacy
        ? { value: aesCheckValue(bytes, true), method: "legacy-ecb" }
        : { value: aesCheckValue(bytes), method: "cmac" };
    case "hmac":
      return { value: hmacCheckValue(bytes, info.hash ?? "sha256"), method: "hmac" };
    default:
      return { value: publicKeyFingerprint(publicKeyOf(bytes)), method: "public-key-sha256" };
  }
}
