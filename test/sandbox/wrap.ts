import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from "node:crypto";

/**
 * The client side of an import, written here with node:crypto as AWS documents it (not keyplane's byok code),
 * so the sandbox's unwrap is checked against an independent wrap.
 */
export function wrapForImport(
  publicKeyDer: Uint8Array,
  algorithm:
    | "RSAES_OAEP_SHA_1"
    | "RSAES_OAEP_SHA_256"
    | "RSA_AES_KEY_WRAP_SHA_1"
    | "RSA_AES_KEY_WRAP_SHA_256",
  material: Buffer,
): Buffer {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: "der", type: "spki" });
  const oaepHash = algorithm.endsWith("SHA_1") ? "sha1" : "sha256";
  const oaep = (data: Buffer) =>
    publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data);
  if (algorithm.startsWith("RSAES_OAEP")) return oaep(material);
  const aesKey = randomBytes(32);
  const cipher = createCipheriv("id-aes256-wrap-pad", aesKey, Buffer.from("a65959a6", "hex"));
  return Buffer.concat([oaep(aesKey), cipher.update(material), cipher.final()]);
}
