import { constants, publicEncrypt, randomBytes } from "node:crypto";
import { KeyplaneError } from "../errors";
import type { LentMaterial } from "../material/key-material";
import type { KeySpec } from "../vocabulary/key-specs";
import {
  assertWrappingCombination,
  DEPRECATED_WRAPPING_ALGORITHMS,
  isWrappingAlgorithm,
  oaepCapacity,
  WRAPPING_ALGORITHM_INFO,
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_BITS,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from "../vocabulary/wrapping";
import { aesKeyWrapPad } from "./aes-key-wrap";
import { isWrappingPublicKey, parseWrappingPublicKey, type WrappingPublicKey } from "./public-key";

export interface WrapRequest {
  material: LentMaterial;
  /** The wrapping public key from GetParametersForImport: DER, PEM, base64, or already parsed. */
  publicKey: Buffer | string | WrappingPublicKey;
  algorithm: WrappingAlgorithm;
  /** The wrapping key spec asked for; when given, the public key must be of this size. */
  wrappingKeySpec?: WrappingKeySpec;
  /** Names the public key in errors (e.g. its file name). */
  publicKeySource?: string;
}

/** What `wrapForImport` produced. Nothing here is secret. */
export interface WrappedMaterial {
  /** Exactly the bytes ImportKeyMaterial takes as EncryptedKeyMaterial. */
  wrapped: Buffer;
  /** SHA-256 hex of the wrapping public key's SPKI DER (ties the result to one import token). */
  publicKeyFingerprint: string;
  algorithm: WrappingAlgorithm;
  wrappingKeySpec: WrappingKeySpec;
  keySpec: KeySpec;
  /** The material's check value, for the journal. */
  checkValue: string;
}

/**
 * publicEncrypt options per OAEP hash (node:crypto uses the same hash for OAEP and MGF1).
 * SHA-1 is node:crypto's documented default (oaepHash: 'sha1'), so it is left implicit: naming it makes
 * node look the digest up by name and set it on every call's EVP_PKEY_CTX, about 4% of an RSA-4096 wrap
 * (bench/wrap.js), for the same bytes on the wire (test/byok/wrap.test.ts decrypts with OpenSSL's
 * rsa_oaep_md:sha1 / rsa_mgf1_md:sha1).
 */
const OAEP_OPTIONS = {
  sha1: { padding: constants.RSA_PKCS1_OAEP_PADDING },
  sha256: { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
} as const;

/**
 * Wraps material for ImportKeyMaterial, exactly as AWS documents:
 * - RSAES_OAEP_SHA_1/256: the material encrypted directly with RSAES-OAEP, MGF1 with the same hash.
 * - RSA_AES_KEY_WRAP_SHA_1/256: a fresh AES-256 key wraps the material with AES key wrap with padding
 *   (RFC 5649); that key is RSAES-OAEP encrypted; the output is `RSA-encrypted AES key || wrapped material`.
 * https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-encrypt-key-material.html
 * Impossible combinations are refused before any cryptography, naming the allowed choices.
 */
export function wrapForImport(request: WrapRequest): WrappedMaterial {
  const { material, algorithm } = request;
  assertAlgorithm(algorithm);
  if (request.wrappingKeySpec)
    assertWrappingCombination(material.keySpec, algorithm, request.wrappingKeySpec);
  const publicKey = isWrappingPublicKey(request.publicKey)
    ? request.publicKey
    : parseWrappingPublicKey(request.publicKey, {
        ...(request.wrappingKeySpec ? { expected: request.wrappingKeySpec } : {}),
        ...(request.publicKeySource ? { source: request.publicKeySource } : {}),
      });
  if (request.wrappingKeySpec && publicKey.wrappingKeySpec !== request.wrappingKeySpec) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${request.publicKeySource ?? "public key"}: the key is ${publicKey.wrappingKeySpec}, but wrapping key spec ${request.wrappingKeySpec} was asked for`,
    );
  }
  assertWrappingCombination(material.keySpec, algorithm, publicKey.wrappingKeySpec);
  const info = WRAPPING_ALGORITHM_INFO[algorithm];
  const oaep = OAEP_OPTIONS[info.oaepHash];
  const wrapped = material.withBytes((bytes) => {
    if (!info.aesKeyWrap) {
      const capacity = oaepCapacity(WRAPPING_KEY_BITS[publicKey.wrappingKeySpec], info.oaepHash);
      if (bytes.length > capacity) {
        throw new KeyplaneError(
          "INVALID_INPUT",
          `${material.keySpec} material of ${bytes.length} bytes does not fit ${algorithm} under ${publicKey.wrappingKeySpec} (at most ${capacity}); use an RSA_AES_KEY_WRAP algorithm`,
        );
      }
      return publicEncrypt({ key: publicKey.key, ...oaep }, bytes);
    }
    const aesKey = randomBytes(32);
    try {
      const encryptedKey = publicEncrypt({ key: publicKey.key, ...oaep }, aesKey);
      const wrappedBytes = aesKeyWrapPad(aesKey, bytes);
      return Buffer.concat([encryptedKey, wrappedBytes], encryptedKey.length + wrappedBytes.length);
    } finally {
      aesKey.fill(0);
    }
  });
  return {
    wrapped,
    publicKeyFingerprint: publicKey.fingerprint,
    algorithm,
    wrappingKeySpec: publicKey.wrappingKeySpec,
    keySpec: material.keySpec,
    checkValue: material.checkValue,
  };
}

function assertAlgorithm(algorithm: string): asserts algorithm is WrappingAlgorithm {
  if (isWrappingAlgorithm(algorithm)) return;
  const deprecated = (DEPRECATED_WRAPPING_ALGORITHMS as readonly string[]).includes(algorithm);
  throw new KeyplaneError(
    "INVALID_INPUT",
    deprecated
      ? `wrapping algorithm ${algorithm}: KMS no longer accepts it (since 2023-10-10); use one of ${WRAPPING_ALGORITHMS.join(", ")}`
      : `wrapping algorithm '${algorithm}': expected one of ${WRAPPING_ALGORITHMS.join(", ")}`,
  );
}
