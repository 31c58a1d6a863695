import {
  constants,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  privateEncrypt,
  publicDecrypt,
} from "node:crypto";
import type { CurveFnWithCreate } from "@noble/curves/_shortw_utils";
import type forgeModule from "node-forge";
import type { SigningScheme } from "./crypto";

/**
 * Signatures over a digest the caller computed (Sign and Verify with MessageType DIGEST). node:crypto hashes
 * whatever it signs, even with a null algorithm, so the step after the hash comes from maintained libraries,
 * and nothing here is arithmetic of the sandbox's own:
 * - RSASSA-PKCS1-v1_5: DigestInfo || digest under OpenSSL's type-1 padding (node:crypto).
 * - RSASSA-PSS: node-forge's EMSA-PSS encoding and check (RFC 8017 9.1), around node:crypto's raw RSA
 *   operation, so the private key stays a KeyObject (forge's own RSA also takes 0.6-0.9 s per RSA-4096
 *   signature here, against 10-30 ms). The salt is as long as the digest, as KMS uses it.
 * - ECDSA: @noble/curves with prehash off, DER signatures as KMS returns them, randomised k (RFC 6979 with
 *   extra entropy; KMS's signatures differ call to call), and no low-S rule: KMS does not normalise s.
 * Both libraries load at the first PSS or ECDSA digest signature: together 0.25 s that every sandbox start
 * would otherwise pay.
 */

export type DigestHash = SigningScheme["hash"];

/** DigestInfo prefixes of RFC 8017 9.2 (EMSA-PKCS1-v1_5), note 1: what precedes the digest in the signature. */
const DIGEST_INFO_PREFIX: Readonly<Record<DigestHash, Buffer>> = {
  sha256: Buffer.from("3031300d060960864801650304020105000420", "hex"),
  sha384: Buffer.from("3041300d060960864801650304020205000430", "hex"),
  sha512: Buffer.from("3051300d060960864801650304020305000440", "hex"),
};

function forge(): typeof forgeModule {
  return require("node-forge") as typeof forgeModule;
}

/** The curves of KMS's ECC_NIST_P256/P384/P521 and ECC_SECG_P256K1 keys, by OpenSSL's curve name. */
function curves(): Readonly<Record<string, CurveFnWithCreate>> {
  const { p256, p384, p521 } = require("@noble/curves/nist") as typeof import("@noble/curves/nist");
  const { secp256k1 } = require("@noble/curves/secp256k1") as typeof import("@noble/curves/secp256k1");
  return { prime256v1: p256, secp384r1: p384, secp521r1: p521, secp256k1 };
}

const ECDSA_OPTIONS = { prehash: false, lowS: false } as const;

export function signDigest(privateKeyDer: Buffer, scheme: SigningScheme, digest: Buffer): Buffer {
  const key = createPrivateKey({ key: privateKeyDer, format: "der", type: "pkcs8" });
  if (scheme.padding === "pkcs1") {
    return privateEncrypt(
      { key, padding: constants.RSA_PKCS1_PADDING },
      Buffer.concat([DIGEST_INFO_PREFIX[scheme.hash], digest]),
    );
  }
  if (scheme.padding === "pss") {
    const modulusBits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    const encoded = pssScheme(scheme.hash).encode(digestHolder(digest), modulusBits);
    return privateEncrypt(
      { key, padding: constants.RSA_NO_PADDING },
      leftPadded(Buffer.from(encoded, "binary"), modulusBits),
    );
  }
  const curve = curveOf(key);
  const secret = Buffer.from(key.export({ format: "jwk" }).d ?? "", "base64url");
  try {
    return Buffer.from(curve.sign(digest, secret, { ...ECDSA_OPTIONS, extraEntropy: true }).toBytes("der"));
  } finally {
    secret.fill(0);
  }
}

export function verifyDigest(
  publicKeyDer: Buffer,
  scheme: SigningScheme,
  digest: Buffer,
  signature: Buffer,
): boolean {
  const key = createPublicKey({ key: publicKeyDer, format: "der", type: "spki" });
  try {
    if (scheme.padding === "pkcs1") {
      const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
      return recovered.equals(Buffer.concat([DIGEST_INFO_PREFIX[scheme.hash], digest]));
    }
    if (scheme.padding === "pss") {
      const modulusBits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      const encoded = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
      return pssScheme(scheme.hash).verify(
        digest.toString("binary"),
        encoded.toString("binary"),
        modulusBits,
      );
    }
    const { x, y } = key.export({ format: "jwk" });
    const point = Buffer.concat([
      Buffer.from([0x04]),
      Buffer.from(x ?? "", "base64url"),
      Buffer.from(y ?? "", "base64url"),
    ]);
    return curveOf(key).verify(signature, digest, point, { ...ECDSA_OPTIONS, format: "der" });
  } catch {
    // Malformed signatures (wrong length, not DER, out of range) are invalid signatures, nothing more.
    return false;
  }
}

/** node-forge's PSS scheme object (its published types leave it untyped). */
interface EmsaPss {
  /** EM for the message hash that `digest()` of its first argument returns. */
  encode(messageHash: { digest(): forgeModule.util.ByteStringBuffer }, modulusBits: number): string;
  verify(messageHash: string, encoded: string, modulusBits: number): boolean;
}

function pssScheme(hash: DigestHash): EmsaPss {
  const library = forge();
  const md = () => library.md[hash].create();
  return library.pss.create({ md: md(), mgf: library.mgf.mgf1.create(md()), saltLength: md().digestLength });
}

/** forge's encoding hashes M' with the scheme's own digest; the message hash comes from this holder. */
function digestHolder(digest: Buffer): { digest(): forgeModule.util.ByteStringBuffer } {
  return { digest: () => forge().util.createBuffer(digest.toString("binary")) };
}

/** EM is ceil((modBits - 1) / 8) bytes; the raw RSA operation takes exactly the modulus's length. */
function leftPadded(encoded: Buffer, modulusBits: number): Buffer {
  const length = Math.ceil(modulusBits / 8);
  return encoded.length >= length ? encoded : Buffer.concat([Buffer.alloc(length - encoded.length), encoded]);
}

function curveOf(key: KeyObject): CurveFnWithCreate {
  const name = key.asymmetricKeyDetails?.namedCurve ?? "";
  const table = curves();
  const curve = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!curve) throw new Error(`no ECDSA over curve '${name}'`);
  return curve;
}
