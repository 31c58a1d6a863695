import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  timingSafeEqual,
  verify,
} from "node:crypto";
import { promisify } from "node:util";
import type { KeySpec } from "../byok/vocabulary/key-specs";
import type { WrappingAlgorithm } from "../byok/vocabulary/wrapping";
import { SPEC_RULES } from "./key-specs";
import { errors, KmsError } from "./protocol";

/**
 * The sandbox's own cryptography (node:crypto only). It is the "AWS side": it never uses keyplane's
 * wrapping code, so a test that imports through the sandbox checks byok against an independent unwrap.
 */

const generateKeyPairAsync = promisify(generateKeyPair);

export interface NewMaterial {
  bytes: Buffer;
  /** SubjectPublicKeyInfo DER for asymmetric specs. */
  publicKey?: Buffer;
}

export async function generateMaterial(spec: KeySpec): Promise<NewMaterial> {
  const info = SPEC_RULES[spec];
  if (info.family === "symmetric" || info.family === "hmac")
    return { bytes: randomBytes(info.generatedBytes ?? 32) };
  const pair =
    info.family === "rsa"
      ? await generateKeyPairAsync("rsa", { modulusLength: info.modulusBits ?? 2048 })
      : await generateKeyPairAsync("ec", { namedCurve: info.curve ?? "prime256v1" });
  return {
    bytes: pair.privateKey.export({ format: "der", type: "pkcs8" }),
    publicKey: pair.publicKey.export({ format: "der", type: "spki" }),
  };
}

export function randomMaterialId(): string {
  return randomBytes(32).toString("hex");
}

/**
 * KMS derives the id of imported material from the key and the material, so importing the same bytes
 * again yields the same KeyMaterialId (that is how it recognises "existing" material).
 */
export function importedMaterialId(keyId: string, material: Buffer): string {
  return createHash("sha256")
    .update("keyplane-sandbox-key-material\0")
    .update(keyId)
    .update("\0")
    .update(material)
    .digest("hex");
}

/** Wrapping key pairs for GetParametersForImport: real RSA keys of the asked size. */
export async function generateWrappingKeyPair(
  bits: number,
): Promise<{ publicKey: Buffer; privateKey: Buffer }> {
  const pair = await generateKeyPairAsync("rsa", { modulusLength: bits, publicExponent: 0x10001 });
  return {
    publicKey: pair.publicKey.export({ format: "der", type: "spki" }),
    privateKey: pair.privateKey.export({ format: "der", type: "pkcs8" }),
  };
}

/** How each wrapping algorithm unwraps: OAEP hash (MGF1 uses the same) and whether RFC 5649 wraps the material. */
const UNWRAPPING: Readonly<Record<WrappingAlgorithm, { oaepHash: "sha1" | "sha256"; aesKeyWrap: boolean }>> =
  {
    RSAES_OAEP_SHA_1: { oaepHash: "sha1", aesKeyWrap: false },
    RSAES_OAEP_SHA_256: { oaepHash: "sha256", aesKeyWrap: false },
    RSA_AES_KEY_WRAP_SHA_1: { oaepHash: "sha1", aesKeyWrap: true },
    RSA_AES_KEY_WRAP_SHA_256: { oaepHash: "sha256", aesKeyWrap: true },
  };

// RFC 5649 alternative initial value; node's id-aes256-wrap-pad takes it as the 4-byte IV.
const KWP_IV = Buffer.from("a65959a6", "hex");

/**
 * Unwraps EncryptedKeyMaterial as KMS does: RSAES-OAEP (SHA-1 or SHA-256, MGF1 with the same hash), or for
 * RSA_AES_KEY_WRAP_* an OAEP-encrypted AES-256 key followed by the material under RFC 5649 key wrap.
 * https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-encrypt-key-material.html
 */
export function unwrapMaterial(algorithm: WrappingAlgorithm, privateKeyDer: Buffer, wrapped: Buffer): Buffer {
  const info = UNWRAPPING[algorithm];
  const key = createPrivateKey({ key: privateKeyDer, format: "der", type: "pkcs8" });
  const modulusBytes = (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  const oaep = (data: Buffer) =>
    privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: info.oaepHash }, data);
  try {
    if (!info.aesKeyWrap) return oaep(wrapped);
    if (wrapped.length <= modulusBytes) throw new Error("too short");
    const aesKey = oaep(wrapped.subarray(0, modulusBytes));
    try {
      const decipher = createDecipheriv("id-aes256-wrap-pad", aesKey, KWP_IV);
      return Buffer.concat([decipher.update(wrapped.subarray(modulusBytes)), decipher.final()]);
    } finally {
      aesKey.fill(0);
    }
  } catch {
    throw errors.invalidCiphertext(
      "The ciphertext is invalid: it does not unwrap with the wrapping key and algorithm of the import token.",
    );
  }
}

function incorrectMaterial(message: string): KmsError {
  return new KmsError("IncorrectKeyMaterialException", message);
}

/**
 * Checks imported material against the key spec as KMS does (IncorrectKeyMaterialException: "the key material
 * in the request is, expired, invalid, or is not the same key material that was previously imported"), and
 * returns the public key of asymmetric material. An asymmetric private key must also be a working key pair:
 * a PKCS#8 whose modulus is not p*q parses, so it is proved by a signature that verifies.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html#API_ImportKeyMaterial_Errors
 */
export function checkMaterial(spec: KeySpec, material: Buffer): Buffer | undefined {
  const info = SPEC_RULES[spec];
  if (info.importedBytes) {
    const { min, max } = info.importedBytes;
    if (material.length < min || material.length > max) {
      const wanted = min === max ? `${min}` : `${min} to ${max}`;
      throw incorrectMaterial(
        `The key material is ${material.length} bytes long; key spec ${spec} takes ${wanted} bytes.`,
      );
    }
    return undefined;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: material, format: "der", type: "pkcs8" });
  } catch {
    throw incorrectMaterial(`The key material is not a DER-encoded PKCS#8 private key for key spec ${spec}.`);
  }
  const details = key.asymmetricKeyDetails ?? {};
  const fits =
    info.family === "rsa"
      ? key.asymmetricKeyType === "rsa" && details.modulusLength === info.modulusBits
      : key.asymmetricKeyType === "ec" && details.namedCurve === info.curve;
  if (!fits) throw incorrectMaterial(`The key material does not match key spec ${spec}.`);
  const publicKey = createPublicKey(key);
  if (!isKeyPair(key, publicKey)) {
    throw incorrectMaterial(`The key material is not a valid ${spec} key pair.`);
  }
  return publicKey.export({ format: "der", type: "spki" });
}

const PAIR_PROBE = Buffer.from("keyplane-sandbox key pair check");

function isKeyPair(privateKey: KeyObject, publicKey: KeyObject): boolean {
  try {
    return verify("sha256", PAIR_PROBE, publicKey, sign("sha256", PAIR_PROBE, privateKey));
  } catch {
    return false;
  }
}

// The header of every symmetric ciphertext; KMS's own blobs start with the same version bytes.
const CIPHERTEXT_MAGIC = Buffer.from([0x01, 0x02, 0x02, 0x00]);
const MATERIAL_ID_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Canonical form of an encryption context, authenticated with the ciphertext: ciphertexts bind the key, the
 * material and the context, so decrypting under another context fails as in KMS.
 */
function canonicalContext(context: Record<string, string> | undefined): Buffer {
  const entries = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(entries), "utf8");
}

export function sealSymmetric(
  keyId: string,
  materialId: string,
  material: Buffer,
  plaintext: Buffer,
  context: Record<string, string> | undefined,
): Buffer {
  const keyIdBytes = Buffer.from(keyId, "utf8");
  const header = Buffer.concat([
    CIPHERTEXT_MAGIC,
    Buffer.from([keyIdBytes.length]),
    keyIdBytes,
    Buffer.from(materialId, "hex"),
  ]);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", material, iv);
  cipher.setAAD(Buffer.concat([header, canonicalContext(context)]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), body]);
}

export interface SymmetricCiphertext {
  keyId: string;
  materialId: string;
  header: Buffer;
  iv: Buffer;
  tag: Buffer;
  body: Buffer;
}

export function parseSymmetric(blob: Buffer): SymmetricCiphertext | undefined {
  if (blob.length < CIPHERTEXT_MAGIC.length + 1 || !blob.subarray(0, 4).equals(CIPHERTEXT_MAGIC))
    return undefined;
  const keyIdLength = blob[4] ?? 0;
  const headerLength = 5 + keyIdLength + MATERIAL_ID_BYTES;
  if (blob.length < headerLength + IV_BYTES + TAG_BYTES) return undefined;
  return {
    keyId: blob.subarray(5, 5 + keyIdLength).toString("utf8"),
    materialId: blob.subarray(5 + keyIdLength, headerLength).toString("hex"),
    header: blob.subarray(0, headerLength),
    iv: blob.subarray(headerLength, headerLength + IV_BYTES),
    tag: blob.subarray(headerLength + IV_BYTES, headerLength + IV_BYTES + TAG_BYTES),
    body: blob.subarray(headerLength + IV_BYTES + TAG_BYTES),
  };
}

export function openSymmetric(
  parsed: SymmetricCiphertext,
  material: Buffer,
  context: Record<string, string> | undefined,
): Buffer {
  try {
    const decipher = createDecipheriv("aes-256-gcm", material, parsed.iv);
    decipher.setAAD(Buffer.concat([parsed.header, canonicalContext(context)]));
    decipher.setAuthTag(parsed.tag);
    return Buffer.concat([decipher.update(parsed.body), decipher.final()]);
  } catch {
    throw errors.invalidCiphertext("");
  }
}

export const RSA_ENCRYPTION_HASH = { RSAES_OAEP_SHA_1: "sha1", RSAES_OAEP_SHA_256: "sha256" } as const;
export type RsaEncryptionAlgorithm = keyof typeof RSA_ENCRYPTION_HASH;

export function rsaEncrypt(
  publicKeyDer: Buffer,
  algorithm: RsaEncryptionAlgorithm,
  plaintext: Buffer,
): Buffer {
  const key = createPublicKey({ key: publicKeyDer, format: "der", type: "spki" });
  return publicEncrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: RSA_ENCRYPTION_HASH[algorithm] },
    plaintext,
  );
}

export function rsaDecrypt(
  privateKeyDer: Buffer,
  algorithm: RsaEncryptionAlgorithm,
  ciphertext: Buffer,
): Buffer {
  const key = createPrivateKey({ key: privateKeyDer, format: "der", type: "pkcs8" });
  try {
    return privateDecrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: RSA_ENCRYPTION_HASH[algorithm] },
      ciphertext,
    );
  } catch {
    throw errors.invalidCiphertext("");
  }
}

export function hmac(hash: string, material: Buffer, message: Buffer): Buffer {
  return createHmac(hash, material).update(message).digest();
}

export function equalBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface SigningScheme {
  hash: "sha256" | "sha384" | "sha512";
  padding?: "pss" | "pkcs1";
}

/** KMS signs RAW messages by hashing them; PSS uses a salt as long as the digest. */
export function signMessage(privateKeyDer: Buffer, scheme: SigningScheme, message: Buffer): Buffer {
  const key = createPrivateKey({ key: privateKeyDer, format: "der", type: "pkcs8" });
  return sign(scheme.hash, message, signingOptions(key, scheme));
}

export function verifyMessage(
  publicKeyDer: Buffer,
  scheme: SigningScheme,
  message: Buffer,
  signature: Buffer,
): boolean {
  const key = createPublicKey({ key: publicKeyDer, format: "der", type: "spki" });
  try {
    return verify(scheme.hash, message, signingOptions(key, scheme), signature);
  } catch {
    return false;
  }
}

function signingOptions(key: KeyObject, scheme: SigningScheme) {
  if (scheme.padding === "pss") {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  }
  if (scheme.padding === "pkcs1") return { key, padding: constants.RSA_PKCS1_PADDING };
  return { key, dsaEncoding: "der" as const };
}
