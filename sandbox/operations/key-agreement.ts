import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from "node:crypto";
import { assertUsable, type Context, findKey } from "../context";
import { assertNotDryRun } from "../dry-run";
import { currentMaterial } from "../key-metadata";
import { type OperationTable, reads } from "../operation";
import { blob, errors, type Input } from "../protocol";
import { optionalStringList, requiredBlob, requiredEnum, requiredString } from "../validate";

/**
 * DeriveSharedSecret: ECDH between the KMS key's private key (KeyUsage KEY_AGREEMENT) and the caller's
 * public key (SubjectPublicKeyInfo DER) on the same curve; the raw shared secret comes back.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html
 */
function deriveSharedSecret(context: Context, input: Input) {
  const algorithm = requiredEnum(input, "KeyAgreementAlgorithm", ["ECDH"] as const);
  const peer = requiredBlob(input, "PublicKey", { max: 8192 });
  optionalStringList(input, "GrantTokens");
  const key = findKey(context, requiredString(input, "KeyId", { max: 2048 }), { alias: true });
  assertUsable(key);
  if (key.keyUsage !== "KEY_AGREEMENT") {
    throw errors.invalidKeyUsage(
      `${key.arn} key usage is ${key.keyUsage} which is not valid for DeriveSharedSecret.`,
    );
  }
  const material = currentMaterial(key);
  if (!material?.bytes) throw errors.invalidState(`${key.arn} is pending import.`);
  let peerKey: KeyObject;
  try {
    peerKey = createPublicKey({ key: peer, format: "der", type: "spki" });
  } catch {
    throw errors.validation("PublicKey is not a DER-encoded X.509 SubjectPublicKeyInfo.");
  }
  const privateDer = Buffer.from(material.bytes, "base64");
  try {
    const privateKey = createPrivateKey({ key: privateDer, format: "der", type: "pkcs8" });
    if (peerKey.asymmetricKeyDetails?.namedCurve !== privateKey.asymmetricKeyDetails?.namedCurve) {
      throw errors.validation(`PublicKey is not on the curve of ${key.keySpec}.`);
    }
    const secret = diffieHellman({ privateKey, publicKey: peerKey });
    assertNotDryRun(input);
    const output = {
      KeyId: key.arn,
      SharedSecret: blob(secret),
      KeyAgreementAlgorithm: algorithm,
      KeyOrigin: key.origin,
    };
    secret.fill(0);
    return output;
  } finally {
    privateDer.fill(0);
  }
}

export const keyAgreementOperations: OperationTable = {
  DeriveSharedSecret: reads(deriveSharedSecret),
};
