import { createHmac, createPrivateKey, createPublicKey, randomBytes, timingSafeEqual } from "node:crypto";
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  type KMSClient,
  type MacAlgorithmSpec,
} from "@aws-sdk/client-kms";
import { KeyplaneError } from "../errors";
import { kmsCall } from "../kms/aws-error";
import { KEY_SPEC_INFO, type KeySpec } from "../vocabulary/key-specs";

/** What verification proved, for the journal and the report. */
export interface VerifyResult {
  keyArn: string;
  keyState: string;
  check: "encrypt-decrypt" | "generate-mac" | "public-key";
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

const MAC_ALGORITHM: Readonly<Record<string, MacAlgorithmSpec>> = {
  sha224: "HMAC_SHA_224",
  sha256: "HMAC_SHA_256",
  sha384: "HMAC_SHA_384",
  sha512: "HMAC_SHA_512",
};

/**
 * Proves the import worked: the key is Enabled, and KMS uses the material we hold. Symmetric: an
 * Encrypt/Decrypt round trip bound to an encryption context. HMAC: KMS's GenerateMac equals the HMAC
 * computed here (only the same material gives the same tag). Asymmetric: KMS's public key equals the one
 * derived from the material here.
 */
export async function verifyImport(client: KMSClient, request: VerifyRequest): Promise<VerifyResult> {
  const { keyArn, keySpec } = request;
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
  const family = KEY_SPEC_INFO[keySpec].family;
  if (family === "symmetric") return { keyArn, keyState, check: await roundTrip(client, keyArn, request) };
  if (family === "hmac") return { keyArn, keyState, check: await macMatches(client, keyArn, request) };
  return { keyArn, keyState, check: await publicKeyMatches(client, keyArn, request.material) };
}

async function roundTrip(
  client: KMSClient,
  keyArn: string,
  request: VerifyRequest,
): Promise<"encrypt-decrypt"> {
  if (request.pendingRotation) return "encrypt-decrypt";
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

async function publicKeyMatches(client: KMSClient, keyArn: string, material: Buffer): Promise<"public-key"> {
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
  return "public-key";
}
