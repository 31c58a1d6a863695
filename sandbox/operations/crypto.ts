import { randomBytes } from "node:crypto";
import { assertUsable, type Context, findKey, invalidState, keyOfCiphertext } from "../context";
import {
  equalBytes,
  hmac,
  openSymmetric,
  parseSymmetric,
  RSA_ENCRYPTION_HASH,
  type RsaEncryptionAlgorithm,
  rsaDecrypt,
  rsaEncrypt,
  sealSymmetric,
  signMessage,
  verifyMessage,
} from "../crypto";
import { signDigest, verifyDigest } from "../digest-signing";
import { assertNotDryRun } from "../dry-run";
import { currentMaterial, encryptionAlgorithms, SIGNING_SCHEMES, signingAlgorithms } from "../key-metadata";
import { familyOf, oaepMaxBytes, SPEC_RULES } from "../key-specs";
import type { KeyRecord, MaterialRecord } from "../model";
import { type Handler, type OperationTable, reads } from "../operation";
import { blob, errors, type Input, KmsError } from "../protocol";
import {
  optionalEnum,
  optionalInteger,
  optionalString,
  optionalStringList,
  optionalStringMap,
  requiredBlob,
  requiredEnum,
  requiredString,
} from "../validate";

const ENCRYPTION_ALGORITHMS = [
  "SYMMETRIC_DEFAULT",
  "RSAES_OAEP_SHA_1",
  "RSAES_OAEP_SHA_256",
  "SM2PKE",
] as const;
const MAC_ALGORITHMS = ["HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512"] as const;
const SIGNING_ALGORITHMS = Object.keys(SIGNING_SCHEMES);

/** A key for a cryptographic operation: alias names allowed, Enabled state and the right usage required. */
function usableKey(
  context: Context,
  input: Input,
  field: string,
  usage: KeyRecord["keyUsage"],
  operation: string,
) {
  const key = findKey(context, requiredString(input, field, { max: 2048 }), { alias: true });
  assertUsable(key);
  if (key.keyUsage !== usage) {
    throw errors.invalidKeyUsage(
      `${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`,
    );
  }
  optionalStringList(input, "GrantTokens");
  return key;
}

function materialBytes(key: KeyRecord, material: MaterialRecord | undefined): Buffer {
  if (!material?.bytes) throw invalidState(key);
  return Buffer.from(material.bytes, "base64");
}

function publicKeyOf(key: KeyRecord): Buffer {
  if (!key.publicKey) throw invalidState(key);
  return Buffer.from(key.publicKey, "base64");
}

function encryptionAlgorithm(key: KeyRecord, input: Input, field: string): string {
  const algorithm = optionalEnum(input, field, ENCRYPTION_ALGORITHMS) ?? "SYMMETRIC_DEFAULT";
  if (!encryptionAlgorithms(key).includes(algorithm)) {
    throw errors.invalidKeyUsage(`The encryption algorithm ${algorithm} is not valid for ${key.arn}.`);
  }
  return algorithm;
}

export function encryptWith(
  key: KeyRecord,
  algorithm: string,
  plaintext: Buffer,
  context: Record<string, string> | undefined,
): { ciphertext: Buffer; materialId?: string } {
  if (algorithm === "SYMMETRIC_DEFAULT") {
    const material = currentMaterial(key);
    const bytes = materialBytes(key, material);
    try {
      return {
        ciphertext: sealSymmetric(key.keyId, material?.id ?? "", bytes, plaintext, context),
        materialId: material?.id,
      };
    } finally {
      bytes.fill(0);
    }
  }
  const rsa = algorithm as RsaEncryptionAlgorithm;
  const capacity = oaepMaxBytes(SPEC_RULES[key.keySpec].modulusBits ?? 2048, RSA_ENCRYPTION_HASH[rsa]);
  if (plaintext.length > capacity) {
    throw errors.validation(
      `Plaintext is too long for ${algorithm} with ${key.keySpec}: at most ${capacity} bytes.`,
    );
  }
  return { ciphertext: rsaEncrypt(publicKeyOf(key), rsa, plaintext) };
}

function encrypt(context: Context, input: Input) {
  const plaintext = requiredBlob(input, "Plaintext", { max: 4096 });
  const encryptionContext = optionalStringMap(input, "EncryptionContext");
  optionalEnum(input, "EncryptionAlgorithm", ENCRYPTION_ALGORITHMS);
  const key = usableKey(context, input, "KeyId", "ENCRYPT_DECRYPT", "Encrypt");
  const algorithm = encryptionAlgorithm(key, input, "EncryptionAlgorithm");
  const { ciphertext } = encryptWith(key, algorithm, plaintext, encryptionContext);
  plaintext.fill(0);
  return { CiphertextBlob: blob(ciphertext), KeyId: key.arn, EncryptionAlgorithm: algorithm };
}

interface Decrypted {
  key: KeyRecord;
  plaintext: Buffer;
  algorithm: string;
  materialId?: string;
}

/** Decrypt and the source half of ReEncrypt. */
function decryptWith(
  context: Context,
  input: Input,
  fields: { blob: string; context: string; keyId: string; algorithm: string },
): Decrypted {
  const ciphertext = requiredBlob(input, fields.blob, { max: 6144 });
  const encryptionContext = optionalStringMap(input, fields.context);
  const requestedKey = optionalString(input, fields.keyId, { min: 1, max: 2048 });
  const algorithm = optionalEnum(input, fields.algorithm, ENCRYPTION_ALGORITHMS) ?? "SYMMETRIC_DEFAULT";
  optionalStringList(input, "GrantTokens");
  if (algorithm !== "SYMMETRIC_DEFAULT") {
    if (requestedKey === undefined) {
      throw errors.validation(`${fields.keyId} is required when decrypting with an asymmetric key.`);
    }
    const key = findKey(context, requestedKey, { alias: true });
    assertUsable(key);
    if (!encryptionAlgorithms(key).includes(algorithm)) {
      throw errors.invalidKeyUsage(`The encryption algorithm ${algorithm} is not valid for ${key.arn}.`);
    }
    const privateKey = materialBytes(key, currentMaterial(key));
    return {
      key,
      plaintext: rsaDecrypt(privateKey, algorithm as RsaEncryptionAlgorithm, ciphertext),
      algorithm,
    };
  }
  const parsed = parseSymmetric(ciphertext);
  if (!parsed) throw errors.invalidCiphertext("");
  const key = keyOfCiphertext(context, parsed.keyId);
  if (!key) throw errors.invalidCiphertext("");
  if (requestedKey !== undefined && findKey(context, requestedKey, { alias: true }).arn !== key.arn) {
    throw new KmsError(
      "IncorrectKeyException",
      "The key ID in the request does not identify a KMS key that can perform this operation.",
    );
  }
  assertUsable(key);
  if (key.keyUsage !== "ENCRYPT_DECRYPT") {
    throw errors.invalidKeyUsage(`${key.arn} key usage is ${key.keyUsage} which is not valid for Decrypt.`);
  }
  const material = key.materials.find((candidate) => candidate.id === parsed.materialId);
  if (!material) throw errors.invalidCiphertext("");
  const bytes = materialBytes(key, material);
  try {
    return {
      key,
      plaintext: openSymmetric(parsed, bytes, encryptionContext),
      algorithm,
      materialId: material.id,
    };
  } finally {
    bytes.fill(0);
  }
}

function decrypt(context: Context, input: Input) {
  const result = decryptWith(context, input, {
    blob: "CiphertextBlob",
    context: "EncryptionContext",
    keyId: "KeyId",
    algorithm: "EncryptionAlgorithm",
  });
  const output: Record<string, unknown> = {
    KeyId: result.key.arn,
    Plaintext: blob(result.plaintext),
    EncryptionAlgorithm: result.algorithm,
  };
  if (result.materialId) output.KeyMaterialId = result.materialId;
  result.plaintext.fill(0);
  return output;
}

function reEncrypt(context: Context, input: Input) {
  const source = decryptWith(context, input, {
    blob: "CiphertextBlob",
    context: "SourceEncryptionContext",
    keyId: "SourceKeyId",
    algorithm: "SourceEncryptionAlgorithm",
  });
  try {
    const destination = usableKey(context, input, "DestinationKeyId", "ENCRYPT_DECRYPT", "ReEncrypt");
    const destinationAlgorithm = encryptionAlgorithm(destination, input, "DestinationEncryptionAlgorithm");
    const sealed = encryptWith(
      destination,
      destinationAlgorithm,
      source.plaintext,
      optionalStringMap(input, "DestinationEncryptionContext"),
    );
    const output: Record<string, unknown> = {
      CiphertextBlob: blob(sealed.ciphertext),
      SourceKeyId: source.key.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: source.algorithm,
      DestinationEncryptionAlgorithm: destinationAlgorithm,
    };
    if (source.materialId) output.SourceKeyMaterialId = source.materialId;
    if (sealed.materialId) output.DestinationKeyMaterialId = sealed.materialId;
    return output;
  } finally {
    source.plaintext.fill(0);
  }
}

function dataKeyLength(input: Input): number {
  const bytes = optionalInteger(input, "NumberOfBytes", { min: 1, max: 1024 });
  const spec = optionalEnum(input, "KeySpec", ["AES_256", "AES_128"] as const);
  if (bytes !== undefined && spec !== undefined) {
    throw errors.validation("Please specify either number of bytes or key spec, not both.");
  }
  if (bytes === undefined && spec === undefined)
    throw errors.validation("Please specify either number of bytes or key spec.");
  return bytes ?? (spec === "AES_128" ? 16 : 32);
}

function generateDataKeyCommon(context: Context, input: Input, operation: string) {
  optionalInteger(input, "NumberOfBytes", { min: 1, max: 1024 });
  optionalEnum(input, "KeySpec", ["AES_256", "AES_128"] as const);
  const encryptionContext = optionalStringMap(input, "EncryptionContext");
  const key = usableKey(context, input, "KeyId", "ENCRYPT_DECRYPT", operation);
  if (key.keySpec !== "SYMMETRIC_DEFAULT") {
    throw errors.invalidKeyUsage(
      `${key.arn} is not a symmetric encryption key, which ${operation} requires.`,
    );
  }
  const length = dataKeyLength(input);
  const plaintext = randomBytes(length);
  const sealed = encryptWith(key, "SYMMETRIC_DEFAULT", plaintext, encryptionContext);
  return { key, plaintext, sealed };
}

function generateDataKey(context: Context, input: Input) {
  const { key, plaintext, sealed } = generateDataKeyCommon(context, input, "GenerateDataKey");
  const output = {
    CiphertextBlob: blob(sealed.ciphertext),
    Plaintext: blob(plaintext),
    KeyId: key.arn,
    KeyMaterialId: sealed.materialId,
  };
  plaintext.fill(0);
  return output;
}

function generateDataKeyWithoutPlaintext(context: Context, input: Input) {
  const { key, plaintext, sealed } = generateDataKeyCommon(context, input, "GenerateDataKeyWithoutPlaintext");
  plaintext.fill(0);
  return { CiphertextBlob: blob(sealed.ciphertext), KeyId: key.arn, KeyMaterialId: sealed.materialId };
}

function generateRandom(_context: Context, input: Input) {
  const length = optionalInteger(input, "NumberOfBytes", { min: 1, max: 1024 });
  if (length === undefined) throw errors.validation("Please specify the number of bytes.");
  if (input.CustomKeyStoreId !== undefined) {
    throw errors.unsupported("The keyplane sandbox has no custom key stores.");
  }
  return { Plaintext: blob(randomBytes(length)) };
}

function macKey(context: Context, input: Input, operation: string) {
  const message = requiredBlob(input, "Message", { max: 4096 });
  const algorithm = requiredEnum(input, "MacAlgorithm", MAC_ALGORITHMS);
  const key = usableKey(context, input, "KeyId", "GENERATE_VERIFY_MAC", operation);
  const rule = SPEC_RULES[key.keySpec];
  if (rule.macAlgorithm !== algorithm) {
    throw errors.invalidKeyUsage(
      `${algorithm} is not a supported MAC algorithm for the KMS key ${key.arn}. Supported MAC algorithms are ${rule.macAlgorithm}.`,
    );
  }
  const bytes = materialBytes(key, currentMaterial(key));
  try {
    return { key, algorithm, mac: hmac(rule.hash ?? "sha256", bytes, message) };
  } finally {
    bytes.fill(0);
  }
}

function generateMac(context: Context, input: Input) {
  const { key, algorithm, mac } = macKey(context, input, "GenerateMac");
  return { Mac: blob(mac), MacAlgorithm: algorithm, KeyId: key.arn };
}

function verifyMac(context: Context, input: Input) {
  const expected = requiredBlob(input, "Mac", { max: 6144 });
  const { key, algorithm, mac } = macKey(context, input, "VerifyMac");
  // KMS says nothing more than the exception's name.
  if (!equalBytes(mac, expected)) throw new KmsError("KMSInvalidMacException", "");
  return { KeyId: key.arn, MacValid: true, MacAlgorithm: algorithm };
}

const DIGEST_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;

function signingKey(context: Context, input: Input, operation: string) {
  const message = requiredBlob(input, "Message", { max: 4096 });
  const messageType = optionalEnum(input, "MessageType", ["RAW", "DIGEST", "EXTERNAL_MU"] as const) ?? "RAW";
  const algorithm = requiredEnum(input, "SigningAlgorithm", SIGNING_ALGORITHMS);
  const key = usableKey(context, input, "KeyId", "SIGN_VERIFY", operation);
  if (!signingAlgorithms(key).includes(algorithm)) {
    throw errors.invalidKeyUsage(
      `${algorithm} is not a supported signing algorithm for the KMS key ${key.arn}. Supported signing algorithms are ${signingAlgorithms(key).join(", ")}.`,
    );
  }
  const scheme = SIGNING_SCHEMES[algorithm];
  if (!scheme) throw errors.invalidKeyUsage(`Unknown signing algorithm ${algorithm}.`);
  // KMS's sentence for a message type a key spec does not take (quoted for DIGEST with ML-DSA keys).
  if (messageType === "EXTERNAL_MU") {
    throw errors.validation(`Message type EXTERNAL_MU is incompatible with key spec ${key.keySpec}.`);
  }
  if (messageType === "DIGEST") {
    if (message.length !== DIGEST_BYTES[scheme.hash]) {
      throw errors.validation(`Digest is invalid length for algorithm ${algorithm}.`);
    }
  }
  return { key, message, algorithm, scheme, digest: messageType === "DIGEST" };
}

function signOperation(context: Context, input: Input) {
  const { key, message, algorithm, scheme, digest } = signingKey(context, input, "Sign");
  const privateKey = materialBytes(key, currentMaterial(key));
  try {
    const signature = digest
      ? signDigest(privateKey, scheme, message)
      : signMessage(privateKey, scheme, message);
    return { KeyId: key.arn, Signature: blob(signature), SigningAlgorithm: algorithm };
  } finally {
    privateKey.fill(0);
  }
}

function verifyOperation(context: Context, input: Input) {
  const signature = requiredBlob(input, "Signature", { max: 6144 });
  const { key, message, algorithm, scheme, digest } = signingKey(context, input, "Verify");
  const publicKey = publicKeyOf(key);
  const valid = digest
    ? verifyDigest(publicKey, scheme, message, signature)
    : verifyMessage(publicKey, scheme, message, signature);
  // KMS says nothing more than the exception's name.
  if (!valid) throw new KmsError("KMSInvalidSignatureException", "");
  return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: algorithm };
}

function getPublicKey(context: Context, input: Input) {
  const key = findKey(context, requiredString(input, "KeyId", { max: 2048 }), { alias: true });
  optionalStringList(input, "GrantTokens");
  const family = familyOf(key.keySpec);
  if (family !== "rsa" && family !== "ecc") {
    throw errors.unsupported(`${key.arn} is not an asymmetric key; it has no public key.`);
  }
  assertUsable(key);
  const output: Record<string, unknown> = {
    KeyId: key.arn,
    PublicKey: blob(publicKeyOf(key)),
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
  };
  const encryption = encryptionAlgorithms(key);
  if (encryption.length > 0) output.EncryptionAlgorithms = encryption;
  const signing = signingAlgorithms(key);
  if (signing.length > 0) output.SigningAlgorithms = signing;
  return output;
}

/** Cryptographic operations change nothing, so a dry run is the real run with its answer withheld. */
function dryRunnable(handler: Handler): Handler {
  return async (context, input) => {
    const output = await handler(context, input);
    assertNotDryRun(input);
    return output;
  };
}

export const cryptoOperations: OperationTable = {
  Encrypt: reads(dryRunnable(encrypt)),
  Decrypt: reads(dryRunnable(decrypt)),
  ReEncrypt: reads(dryRunnable(reEncrypt)),
  GenerateDataKey: reads(dryRunnable(generateDataKey)),
  GenerateDataKeyWithoutPlaintext: reads(dryRunnable(generateDataKeyWithoutPlaintext)),
  GenerateRandom: reads(generateRandom),
  GenerateMac: reads(dryRunnable(generateMac)),
  VerifyMac: reads(dryRunnable(verifyMac)),
  Sign: reads(dryRunnable(signOperation)),
  Verify: reads(dryRunnable(verifyOperation)),
  GetPublicKey: reads(getPublicKey),
};
