/**
 * The escrow share file, version 1 (one JSON file per custodian, written 0600):
 *
 * ```json
 * {
 *   "format": "keyplane-escrow-share",   fixed
 *   "version": 1,
 *   "keyArn": "arn:aws:kms:...:key/..." or null when the material is not bound to a key yet,
 *   "ceremonyId": "32 hex",              random per split: shares of two splits never mix
 *   "keySpec": "SYMMETRIC_DEFAULT",
 *   "checkValue": "3A1F09",              KCV or public-key SHA-256 of the whole material (byok/kcv.ts)
 *   "index": 1, "threshold": 2, "shares": 3,
 *   "createdAt": "2026-01-01T00:00:00.000Z",
 *   "share": "base64",                   the Shamir share (shamir-secret-sharing: y values || x), or null if sealed
 *   "sealed": null or {                  the share under a custodian passphrase
 *     "kdf": "scrypt", "N": 32768, "r": 8, "p": 1, "salt": "base64 (16 bytes)",
 *     "cipher": "aes-256-gcm", "iv": "base64 (12 bytes)", "tag": "base64 (16 bytes)", "ciphertext": "base64"
 *   },
 *   "checksum": "64 hex"                 SHA-256 of the canonical JSON of every other field
 * }
 * ```
 * Canonical JSON: object keys sorted, no whitespace. The checksum catches accidental damage and careless
 * edits; a sealed share is also authenticated by GCM with the canonical header (every field but `share`,
 * `sealed` and `checksum`) as additional data; and whatever the shares, the combined material must give
 * the recorded check value, or combine refuses it.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from "node:crypto";
import { KeyplaneError } from "../errors";
import { isKeySpec, type KeySpec } from "../vocabulary/key-specs";

export const SHARE_FORMAT = "keyplane-escrow-share";
export const SHARE_VERSION = 1;

/** scrypt cost: 2^15 x 8 x 128 bytes = 32 MiB, about 0.1 s (OWASP's minimum is N=2^17 with r=8, p=1 for
 * passwords stored online; a share file is offline and also needs the threshold of others). */
export const SCRYPT_PARAMS = { N: 32768, r: 8, p: 1 } as const;

export interface SealedShare {
  kdf: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: string;
  cipher: "aes-256-gcm";
  iv: string;
  tag: string;
  ciphertext: string;
}

export interface ShareHeader {
  format: typeof SHARE_FORMAT;
  version: typeof SHARE_VERSION;
  keyArn: string | null;
  ceremonyId: string;
  keySpec: KeySpec;
  checkValue: string;
  index: number;
  threshold: number;
  shares: number;
  createdAt: string;
}

export interface ShareFile extends ShareHeader {
  share: string | null;
  sealed: SealedShare | null;
  checksum: string;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] ?? null)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

function headerOf(file: ShareHeader): ShareHeader {
  const { format, version, keyArn, ceremonyId, keySpec, checkValue, index, threshold, shares, createdAt } =
    file;
  return { format, version, keyArn, ceremonyId, keySpec, checkValue, index, threshold, shares, createdAt };
}

export function shareChecksum(file: Omit<ShareFile, "checksum">): string {
  return createHash("sha256")
    .update(canonicalJson(file as unknown as Json))
    .digest("hex");
}

function sealKey(passphrase: string, salt: Buffer, params: { N: number; r: number; p: number }): Buffer {
  return scryptSync(passphrase.normalize("NFC"), salt, 32, { ...params, maxmem: 256 * params.N * params.r });
}

/** Builds the file for one share; with a passphrase the share is sealed and `share` is null. */
export function buildShareFile(header: ShareHeader, share: Uint8Array, passphrase?: string): ShareFile {
  let body: { share: string | null; sealed: SealedShare | null };
  if (passphrase === undefined) {
    body = { share: Buffer.from(share).toString("base64"), sealed: null };
  } else {
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const key = sealKey(passphrase, salt, SCRYPT_PARAMS);
    try {
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(canonicalJson(headerOf(header) as unknown as Json)));
      const ciphertext = Buffer.concat([cipher.update(share), cipher.final()]);
      body = {
        share: null,
        sealed: {
          kdf: "scrypt",
          ...SCRYPT_PARAMS,
          salt: salt.toString("base64"),
          cipher: "aes-256-gcm",
          iv: iv.toString("base64"),
          tag: cipher.getAuthTag().toString("base64"),
          ciphertext: ciphertext.toString("base64"),
        },
      };
    } finally {
      key.fill(0);
    }
  }
  const file = { ...headerOf(header), ...body };
  return { ...file, checksum: shareChecksum(file) };
}

/** The share bytes of a checked file; sealed shares need their passphrase. The caller zeroes the result. */
export function openShare(file: ShareFile, source: string, passphrase: string | undefined): Buffer {
  if (file.sealed === null) return Buffer.from(file.share ?? "", "base64");
  if (passphrase === undefined) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${source}: the share is sealed; give its custodian's passphrase`,
    );
  }
  const sealed = file.sealed;
  if (
    sealed.kdf !== "scrypt" ||
    sealed.cipher !== "aes-256-gcm" ||
    sealed.N > 1_048_576 ||
    sealed.r > 32 ||
    sealed.p > 16
  ) {
    throw new KeyplaneError("INVALID_INPUT", `${source}: unsupported sealing parameters`);
  }
  const key = sealKey(passphrase, Buffer.from(sealed.salt, "base64"), sealed);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"));
    decipher.setAAD(Buffer.from(canonicalJson(headerOf(file) as unknown as Json)));
    decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, "base64")), decipher.final()]);
  } catch (error) {
    throw new KeyplaneError("INTEGRITY", `${source}: wrong passphrase, or the sealed share was altered`, {
      cause: error,
    });
  } finally {
    key.fill(0);
  }
}

/** Parses and checks one share file's shape and checksum; `source` names it in errors. */
export function parseShareFile(text: string, source: string): ShareFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new KeyplaneError("INVALID_INPUT", `${source}: not a keyplane escrow share (not JSON)`, {
      cause: error,
    });
  }
  const file = value as Partial<ShareFile> | null;
  if (!file || typeof file !== "object" || file.format !== SHARE_FORMAT) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${source}: not a keyplane escrow share (format '${SHARE_FORMAT}' expected)`,
    );
  }
  if (file.version !== SHARE_VERSION) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${source}: share format version ${String(file.version)} is not supported (expected ${SHARE_VERSION})`,
    );
  }
  const wellFormed =
    (file.keyArn === null || typeof file.keyArn === "string") &&
    typeof file.ceremonyId === "string" &&
    typeof file.keySpec === "string" &&
    isKeySpec(file.keySpec) &&
    typeof file.checkValue === "string" &&
    Number.isInteger(file.index) &&
    Number.isInteger(file.threshold) &&
    Number.isInteger(file.shares) &&
    typeof file.createdAt === "string" &&
    typeof file.checksum === "string" &&
    ((typeof file.share === "string" && file.sealed === null) ||
      (file.share === null && typeof file.sealed === "object" && file.sealed !== null));
  if (!wellFormed)
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${source}: malformed escrow share (a field is missing or of the wrong type)`,
    );
  const { checksum, ...rest } = file as ShareFile;
  if (shareChecksum(rest) !== checksum) {
    throw new KeyplaneError(
      "INTEGRITY",
      `${source}: checksum mismatch: the share file was altered or damaged`,
    );
  }
  return file as ShareFile;
}
