import { generateKeyPairSync, randomBytes } from "node:crypto";
import { KEY_SPEC_INFO, type KeySpec } from "../vocabulary/key-specs";
import { KeyMaterial } from "./key-material";

/**
 * Fresh material for `keySpec` from the CSPRNG, in the form ImportKeyMaterial takes: 32 raw bytes for
 * SYMMETRIC_DEFAULT, exactly the spec's length for HMAC, PKCS#8 DER for RSA and ECC.
 * https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-conceptual.html#importing-keys-material-requirements
 */
export function generateMaterial(keySpec: KeySpec): KeyMaterial {
  const info = KEY_SPEC_INFO[keySpec];
  if (info.rawLength !== undefined) return new KeyMaterial(keySpec, randomBytes(info.rawLength));
  const pair =
    info.family === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: info.modulusBits ?? 0, publicExponent: 65537 })
      : generateKeyPairSync("ec", { namedCurve: info.curve ?? "" });
  return new KeyMaterial(keySpec, pair.privateKey.export({ type: "pkcs8", format: "der" }));
}
