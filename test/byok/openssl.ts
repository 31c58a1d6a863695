import { execFileSync } from "node:child_process";
import { OPENSSL } from "../support/tools";

/** Runs openssl with `args`, feeding `input`, returning stdout bytes; throws with stderr on failure. */
export function openssl(args: readonly string[], input?: Buffer): Buffer {
  return execFileSync(OPENSSL.find(), args, {
    input: input ?? Buffer.alloc(0),
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** `openssl pkeyutl -decrypt` with OAEP, the digest given for both OAEP and MGF1 (as KMS uses them). */
export function oaepDecryptArgs(privateKeyPem: string, inPath: string, hash: "sha1" | "sha256"): string[] {
  return [
    "pkeyutl",
    "-decrypt",
    "-inkey",
    privateKeyPem,
    "-in",
    inPath,
    "-pkeyopt",
    "rsa_padding_mode:oaep",
    "-pkeyopt",
    `rsa_oaep_md:${hash}`,
    "-pkeyopt",
    `rsa_mgf1_md:${hash}`,
  ];
}

/** `openssl enc -d -id-aes256-wrap-pad`: RFC 5649 unwrap with the alternative IV the RFC fixes. */
export function kwpUnwrapArgs(aesKey: Buffer, inPath: string): string[] {
  return ["enc", "-d", "-id-aes256-wrap-pad", "-K", aesKey.toString("hex"), "-iv", "A65959A6", "-in", inPath];
}
