import {
  constants,
  createHmac,
  createPrivateKey,
  createPublicKey,
  verify as cryptoVerify,
  publicEncrypt,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  type KMSClient,
  type MacAlgorithmSpec,
  SignCommand,
  type SigningAlgorithmSpec,
} from "@aws-sdk/client-kms";
import { KeyplaneError } from "../errors";
import { kmsCall } from "../kms/aws-error";
import { KEY_SPEC_INFO, type KeySpec } from "../vocabulary/key-specs";

/** What verification proved, for the journal and the report. */
export interface VerifyResult {
  keyArn: string;
  keyState: string;
  /**
   * What proved it; `pending-rotation`: nothing could, yet: the material was imported as new material of a
   * key that has current material, and KMS uses it only after RotateKeyOnDemand (`keyplane rotation apply`).
   */
  check: "encrypt-decrypt" | "generate-mac" | "sign-verify" | "decrypt" | "public-key" | "pending-rotation";
}

export interface VerifyRequest {
  keyArn: string;
  keySpec: KeySpec;
  /**
   * The imported material's bytes (raw for symmetric and HMAC, PKCS#8 DER for asymmetric). Read only; the
   * caller owns and disposes them.
   */
  material: Buffer;
  /**
   * Symmetric keys only: skip the round trip when the material was imported as NEW_KEY_MATERIAL for a
   * rotation that has not happened yet (KMS encrypts under the current material until RotateKeyOnDemand).
   */
  pendingRotation?: boolean;
}

export const MAC_ALGORITHM: Readonly<Record<string, MacAlgorithmSpec>> = {
  sha224: "HMAC_SHA_224",
  sha256: "HMAC_SHA_256",
  sha384: "HMAC_SHA_384",
  sha512: "HMAC_SHA_512",
};

/**
 * Proves the import worked: the key is Enabled, and KMS uses the material we hold. Symmetric: an
 * Encrypt/Decrypt round trip bound to an encryption context. HMAC: KMS's GenerateMac equals the HMAC
 * computed here (only the same material gives the same tag). Asymmetric: KMS's public key equals the one
 * derived from the material here, and the private half works: a KMS signature verifies under the
 * material's own public key (SIGN_VERIFY), or KMS decrypts what was encrypted here (ENCRYPT_DECRYPT). A
 * damaged private key has a matching public key yet signs garbage; only using it shows that.
 */
export async function verifyImport(client: KMSClient, request: VerifyRequest): Promise<VerifyResult> {
  const { keyArn, keySpec } = request;
  const { keyState, usage } = await assertEnabledAfterImport(client, keyArn);
  const family = KEY_SPEC_INFO[keySpec].family;
  if (family === "symmetric") return { keyArn, keyState, check: await roundTrip(client, keyArn, request) };
  if (family === "hmac") return { keyArn, keyState, check: await macMatches(client, keyArn, request) };
  await publicKeyMatches(client, keyArn, request.material);
  try {
    if (usage === "SIGN_VERIFY")
      return { keyArn, keyState, check: await signatureVerifies(client, keyArn, request) };
    if (usage === "ENCRYPT_DECRYPT")
      return { keyArn, keyState, check: await decryptMatches(client, keyArn, request) };
  } catch (error) {
    // Separation of duties: a custodian's key policy may not allow Sign or Decrypt on asymmetric keys (no
    // condition can confine them to a verification). The key pair was proven when the material was
    // loaded, and KMS holds its public key; the round trip is then left to whoever may use the key.
    if (!(error instanceof KeyplaneError && error.awsName === "AccessDeniedException")) throw error;
  }
  return { keyArn, keyState, check: "public-key" };
}

/** DescribeKey after an import: anything but Enabled means the import did not complete. */
export async function assertEnabledAfterImport(
  client: KMSClient,
  keyArn: string,
): Promise<{ keyState: string; usage: string | undefined }> {
  const described = await kmsCall(`DescribeKey ${keyArn}`, () =>
    client.send(new DescribeKeyCommand({ KeyId: keyArn })),
  );
  const keyState = described.KeyMetadata?.KeyState ?? "unknown";
  if (keyState !== "Enabled") {
    throw new KeyplaneError(
      "INTEGRITY",
      `verify ${keyArn}: key state is ${keyState} after import, not Enabled`,
      {
        hint: "the import did not complete; run the import again with the same material",
      },
    );
  }
  return { keyState, usage: described.KeyMetadata?.KeyUsage };
}

const SIGNING: Readonly<Record<string, { algorithm: SigningAlgorithmSpec; hash: string; pss: boolean }>> = {
  rsa: { algorithm: "RSASSA_PSS_SHA_256", hash: "sha256", pss: true },
  prime256v1: { algorithm: "ECDSA_SHA_256", hash: "sha256", pss: false },
  secp256k1: { algorithm: "ECDSA_SHA_256", hash: "sha256", pss: false },
  secp384r1: { algorithm: "ECDSA_SHA_384", hash: "sha384", pss: false },
  secp521r1: { algorithm: "ECDSA_SHA_512", hash: "sha512", pss: false },
};

async function signatureVerifies(
  client: KMSClient,
  keyArn: string,
  request: VerifyRequest,
): Promise<"sign-verify"> {
  const info = KEY_SPEC_INFO[request.keySpec];
  const scheme = SIGNING[info.family === "rsa" ? "rsa" : (info.curve ?? "")];
  if (!scheme) throw new KeyplaneError("INTERNAL", `no signing scheme for ${request.keySpec}`);
  const message = randomBytes(32);
  const output = await kmsCall(`Sign ${keyArn}`, () =>
    client.send(
      new SignCommand({
        KeyId: keyArn,
        Message: message,
        MessageType: "RAW",
        SigningAlgorithm: scheme.algorithm,
      }),
    ),
  );
  const publicKey = createPublicKey(
    createPrivateKey({ key: request.material, format: "der", type: "pkcs8" }),
  );
  const valid = cryptoVerify(
    scheme.hash,
    message,
    scheme.pss
      ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : { key: publicKey, dsaEncoding: "der" },
    Buffer.from(output.Signature ?? new Uint8Array()),
  );
  if (!valid) {
    throw new KeyplaneError(
      "INTEGRITY",
      `verify ${keyArn}: KMS's signature does not verify under the material's public key; the imported private key is damaged or not this material`,
    );
  }
  return "sign-verify";
}

async function decryptMatches(client: KMSClient, keyArn: string, request: VerifyRequest): Promise<"decrypt"> {
  const publicKey = createPublicKey(
    createPrivateKey({ key: request.material, format: "der", type: "pkcs8" }),
  );
  const plaintext = randomBytes(32);
  try {
    const ciphertext = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      plaintext,
    );
    const output = await kmsCall(`Decrypt ${keyArn}`, () =>
      client.send(
        new DecryptCommand({
          KeyId: keyArn,
          CiphertextBlob: ciphertext,
          EncryptionAlgorithm: "RSAES_OAEP_SHA_256",
        }),
      ),
    );
    const back = Buffer.from(output.Plaintext ?? new Uint8Array());
    const same = back.length === plaintext.length && timingSafeEqual(back, plaintext);
    back.fill(0);
    if (!same) {
      throw new KeyplaneError(
        "INTEGRITY",
        `verify ${keyArn}: KMS did not decrypt what was encrypted to the material`,
      );
    }
    return "decrypt";
  } finally {
    plaintext.fill(0);
  }
}

/**
 * An Encrypt/Decrypt round trip under the verify step's encryption context. KMS encrypts under the current
 * material, so for material waiting for its rotation nothing can be proven yet: said, not claimed.
 */
export async function roundTrip(
  client: KMSClient,
  keyArn: string,
  request: Pick<VerifyRequest, "pendingRotation">,
): Promise<"encrypt-decrypt" | "pending-rotation"> {
  if (request.pendingRotation) return "pending-rotation";
  const plaintext = randomBytes(32);
  const context = { "keyplane:verify": randomBytes(8).toString("hex") };
  try {
    const encrypted = await kmsCall(`Encrypt ${keyArn}`, () =>
      client.send(new EncryptCommand({ KeyId: keyArn, Plaintext: plaintext, EncryptionContext: context })),
    );
    const decrypted = await kmsCall(`Decrypt ${keyArn}`, () =>
      client.send(
        new DecryptCommand({
          KeyId: keyArn,
          CiphertextBlob: encrypted.CiphertextBlob,
          EncryptionContext: context,
        }),
      ),
    );
    const back = Buffer.from(decrypted.Plaintext ?? new Uint8Array());
    const same = back.length === plaintext.length && timingSafeEqual(back, plaintext);
    back.fill(0);
    if (!same) {
      throw new KeyplaneError("INTEGRITY", `verify ${keyArn}: Decrypt did not return what Encrypt was given`);
    }
    return "encrypt-decrypt";
  } finally {
    plaintext.fill(0);
  }
}

async function macMatches(
  client: KMSClient,
  keyArn: string,
  request: VerifyRequest,
): Promise<"generate-mac"> {
  const hash = KEY_SPEC_INFO[request.keySpec].hash ?? "sha256";
  const message = randomBytes(32);
  const output = await kmsCall(`GenerateMac ${keyArn}`, () =>
    client.send(
      new GenerateMacCommand({ KeyId: keyArn, Message: message, MacAlgorithm: MAC_ALGORITHM[hash] }),
    ),
  );
  const local = createHmac(hash, request.material).update(message).digest();
  const remote = Buffer.from(output.Mac ?? new Uint8Array());
  if (remote.length !== local.length || !timingSafeEqual(remote, local)) {
    throw new KeyplaneError(
      "INTEGRITY",
      `verify ${keyArn}: KMS's GenerateMac differs from the HMAC of the material held here; KMS holds other material`,
    );
  }
  return "generate-mac";
}

async function publicKeyMatches(client: KMSClient, keyArn: string, material: Buffer): Promise<void> {
  const output = await kmsCall(`GetPublicKey ${keyArn}`, () =>
    client.send(new GetPublicKeyCommand({ KeyId: keyArn })),
  );
  const local = createPublicKey(createPrivateKey({ key: material, format: "der", type: "pkcs8" })).export({
    type: "spki",
    format: "der",
  });
  const remote = Buffer.from(output.PublicKey ?? new Uint8Array());
  if (!remote.equals(local)) {
    throw new KeyplaneError(
      "INTEGRITY",
      `verify ${keyArn}: KMS's public key differs from the one derived from the material held here`,
    );
  }
}
