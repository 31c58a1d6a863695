import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { KeyplaneError } from "../errors";
import { KEY_SPEC_INFO, KEY_SPECS, type KeySpec } from "../vocabulary/key-specs";
import { KeyMaterial } from "./key-material";

export interface LoadOptions {
  /** Password of a PKCS#12 file or an encrypted PKCS#8 PEM. */
  password?: string;
}

/**
 * Reads material for `keySpec` from a file and checks it fits the spec.
 * - SYMMETRIC_DEFAULT / HMAC: raw bytes of exactly the spec's length, or that many bytes as hex or base64 text.
 * - RSA / ECC: PEM or DER private keys in PKCS#8, PKCS#1 (RSA) or SEC1 (EC), or PKCS#12 (`.p12`/`.pfx`,
 *   with `password`), converted to the PKCS#8 DER that ImportKeyMaterial takes. The modulus size or curve
 *   must be the spec's: a P-256 key offered for ECC_NIST_P384 is refused.
 * Every error names the file and what was expected; none quotes the content.
 */
export function loadMaterial(path: string, keySpec: KeySpec, options: LoadOptions = {}): KeyMaterial {
  const content = readMaterialFile(path);
  try {
    return parseMaterial(content, keySpec, path, options);
  } finally {
    content.fill(0);
  }
}

export function readMaterialFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new KeyplaneError(
      "FILE",
      `${path}: cannot read the material file (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      {
        cause: error,
      },
    );
  }
}

/** Parses `content` (not kept: the caller zeroes it); `source` names it in errors. */
export function parseMaterial(
  content: Buffer,
  keySpec: KeySpec,
  source: string,
  options: LoadOptions = {},
): KeyMaterial {
  const info = KEY_SPEC_INFO[keySpec];
  if (info.importLengths !== undefined)
    return new KeyMaterial(keySpec, rawBytes(content, info.importLengths, keySpec, source));
  const key = privateKey(content, source, options);
  checkKeyFitsSpec(key, keySpec, source);
  checkKeyPair(key, source);
  return new KeyMaterial(keySpec, pkcs8Der(key));
}

/**
 * Raw material from a file: hex text, base64 text, or raw bytes, in that order of recognition. Text made
 * only of hex digits is hex, never base64 or raw: 64 hex digits also decode as base64 of 48 bytes, and 32 hex
 * digits are 32 bytes of ASCII; reading either as the key would import material the custodians' paper
 * record cannot reproduce. Random raw bytes are all hex digits or all base64 characters with negligible
 * probability (below 2^-64 at 32 bytes).
 */
function rawBytes(
  content: Buffer,
  lengths: { min: number; max: number },
  keySpec: KeySpec,
  source: string,
): Buffer {
  const fits = (length: number) => length >= lengths.min && length <= lengths.max;
  const expected =
    lengths.min === lengths.max
      ? `${lengths.min} bytes (raw, ${lengths.min * 2} hex digits, or base64)`
      : `${lengths.min} to ${lengths.max} bytes (raw, hex, or base64)`;
  const text = content.toString("latin1").trim();
  if (/^[0-9a-fA-F]+$/.test(text)) {
    if (text.length % 2 === 0 && fits(text.length / 2)) return Buffer.from(text, "hex");
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${source}: ${keySpec} material must be ${expected}; got ${text.length} hex digits`,
    );
  }
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    const decoded = Buffer.from(text, "base64");
    if (fits(decoded.length)) return decoded;
    decoded.fill(0);
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${source}: ${keySpec} material must be ${expected}; got base64 of ${decoded.length} bytes`,
    );
  }
  if (fits(content.length)) return Buffer.from(content);
  throw new KeyplaneError(
    "INVALID_INPUT",
    `${source}: ${keySpec} material must be ${expected}; got a ${content.length}-byte file`,
  );
}

/**
 * PKCS#8 DER as ImportKeyMaterial takes it. EC keys go through JWK so that a key written with explicit curve
 * parameters becomes the named-curve form RFC 5480 requires (and KMS's GetPublicKey returns): its check
 * value then equals the fingerprint KMS reports.
 */
function pkcs8Der(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== "ec") return key.export({ type: "pkcs8", format: "der" });
  const named = createPrivateKey({ key: key.export({ format: "jwk" }), format: "jwk" });
  return named.export({ type: "pkcs8", format: "der" });
}

/**
 * node's createPrivateKey does not check that the parts of a private key belong together: an RSA key with
 * one byte of its modulus flipped loads, and then makes signatures nobody can verify. A sign/verify round
 * trip against the public key derived from it proves the pair.
 */
function checkKeyPair(key: KeyObject, source: string): void {
  const probe = Buffer.from("keyplane key pair check");
  let consistent = false;
  try {
    const signature = sign("sha256", probe, key);
    consistent = verify("sha256", probe, createPublicKey(key), signature);
  } catch {
    consistent = false;
  }
  if (!consistent) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${source}: the private key is damaged (its parts do not form a key pair: a signature made with it does not verify)`,
      { hint: "check the file against its source; `openssl pkey -check -in FILE` shows the fault" },
    );
  }
}

function privateKey(content: Buffer, source: string, options: LoadOptions): KeyObject {
  // Buffer searches, not a decoded string: a JavaScript string of a PEM private key cannot be zeroed.
  if (content.includes("-----BEGIN")) {
    const publicOnly = ["CERTIFICATE-----", "PUBLIC KEY-----"].some((label) => content.includes(label));
    if (publicOnly && !content.includes("PRIVATE KEY-----")) {
      throw new KeyplaneError(
        "INVALID_INPUT",
        `${source}: holds a public key or certificate, expected a private key`,
      );
    }
    try {
      return createPrivateKey({
        key: content,
        format: "pem",
        ...(options.password ? { passphrase: options.password } : {}),
      });
    } catch (error) {
      if (content.includes("ENCRYPTED") && options.password) {
        throw new KeyplaneError("INVALID_INPUT", `${source}: the private key's password is wrong`, {
          cause: error,
        });
      }
      throw unreadable(source, error, content.includes("ENCRYPTED") && !options.password);
    }
  }
  for (const type of ["pkcs8", "pkcs1", "sec1"] as const) {
    try {
      return createPrivateKey({ key: content, format: "der", type });
    } catch {
      // not this encoding: try the next, then PKCS#12
    }
  }
  return fromPkcs12(content, source, options.password);
}

/** PKCS#12 through node-forge: node:crypto does not read it. */
function fromPkcs12(content: Buffer, source: string, password: string | undefined): KeyObject {
  const forge = require("node-forge") as typeof import("node-forge");
  let pkcs8Der: Buffer;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(content.toString("binary")));
    const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, password ?? "");
    const bags = [
      ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag ?? "" })[
        forge.pki.oids.pkcs8ShroudedKeyBag ?? ""
      ] ?? []),
      ...(p12.getBags({ bagType: forge.pki.oids.keyBag ?? "" })[forge.pki.oids.keyBag ?? ""] ?? []),
    ];
    const bag = bags[0];
    if (!bag) throw new KeyplaneError("INVALID_INPUT", `${source}: the PKCS#12 file holds no private key`);
    const info = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : bag.asn1;
    pkcs8Der = Buffer.from(forge.asn1.toDer(info).getBytes(), "binary");
  } catch (error) {
    if (error instanceof KeyplaneError) throw error;
    const message = error instanceof Error ? error.message : "";
    const wrongPassword = /password|MAC could not be verified|Invalid PEM|decrypt/i.test(message);
    throw new KeyplaneError(
      "INVALID_INPUT",
      wrongPassword
        ? `${source}: the PKCS#12 password is wrong or missing`
        : `${source}: not a private key (expected PEM or DER PKCS#8, PKCS#1, SEC1, or PKCS#12)`,
      { cause: error },
    );
  }
  try {
    return createPrivateKey({ key: pkcs8Der, format: "der", type: "pkcs8" });
  } catch (error) {
    throw unreadable(source, error, false);
  } finally {
    pkcs8Der.fill(0);
  }
}

function unreadable(source: string, cause: unknown, needsPassword: boolean): KeyplaneError {
  return new KeyplaneError(
    "INVALID_INPUT",
    needsPassword
      ? `${source}: the private key is encrypted; give its password`
      : `${source}: not a readable private key (expected PEM or DER PKCS#8, PKCS#1, SEC1, or PKCS#12)`,
    { cause },
  );
}

function checkKeyFitsSpec(key: KeyObject, keySpec: KeySpec, source: string): void {
  const info = KEY_SPEC_INFO[keySpec];
  const details = key.asymmetricKeyDetails ?? {};
  if (info.family === "rsa") {
    if (key.asymmetricKeyType !== "rsa") {
      throw new KeyplaneError(
        "INVALID_INPUT",
        `${source}: ${keySpec} needs an RSA private key, got ${key.asymmetricKeyType ?? "unknown"}`,
      );
    }
    if (details.modulusLength !== info.modulusBits) {
      throw new KeyplaneError(
        "INVALID_INPUT",
        `${source}: ${keySpec} needs a ${info.modulusBits}-bit RSA key, got ${details.modulusLength ?? "unknown"} bits`,
      );
    }
    return;
  }
  if (key.asymmetricKeyType !== "ec") {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${source}: ${keySpec} needs an EC private key, got ${key.asymmetricKeyType ?? "unknown"}`,
    );
  }
  if (details.namedCurve !== info.curve) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${source}: ${keySpec} needs a key on curve ${info.curve}, got ${details.namedCurve ?? "unknown"}`,
    );
  }
}

export interface GuessedKeySpec {
  keySpec: KeySpec;
  /** True when 32 raw bytes could be SYMMETRIC_DEFAULT or HMAC_256 (SYMMETRIC_DEFAULT is assumed). */
  ambiguous: boolean;
}

/**
 * The key spec a material file most likely holds, for commands where --key-spec is optional: the type and
 * size of a private key, or the length of raw/hex/base64 bytes. Refuses what fits no spec.
 */
export function guessKeySpec(content: Buffer, source: string, options: LoadOptions = {}): GuessedKeySpec {
  for (const keySpec of ["SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_384", "HMAC_512"] as const) {
    try {
      const length = KEY_SPEC_INFO[keySpec].rawLength ?? 0;
      rawBytes(content, { min: length, max: length }, keySpec, source).fill(0);
      return { keySpec, ambiguous: keySpec === "SYMMETRIC_DEFAULT" };
    } catch {
      // not this length: try the next
    }
  }
  const key = privateKey(content, source, options);
  const details = key.asymmetricKeyDetails ?? {};
  const match = KEY_SPECS.find((keySpec) => {
    const info = KEY_SPEC_INFO[keySpec];
    return key.asymmetricKeyType === "rsa"
      ? info.modulusBits === details.modulusLength
      : key.asymmetricKeyType === "ec" && info.curve === details.namedCurve;
  });
  if (!match) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${source}: a ${key.asymmetricKeyType ?? "unknown"} key of this size or curve fits no KMS key spec (expected one of ${KEY_SPECS.join(", ")})`,
    );
  }
  return { keySpec: match, ambiguous: false };
}
