import { createCipheriv, createDecipheriv } from "node:crypto";
import { KeyplaneError } from "../errors";

/** RFC 5649 section 3: the alternative initial value's fixed high half; OpenSSL appends the length. */
const KWP_IV = Buffer.from("a65959a6", "hex");

function cipherName(kek: Buffer): string {
  if (![16, 24, 32].includes(kek.length)) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `AES key wrap: the key-encryption key must be 16, 24 or 32 bytes, got ${kek.length}`,
    );
  }
  return `id-aes${kek.length * 8}-wrap-pad`;
}

/** AES key wrap with padding (RFC 5649, NIST SP 800-38F KWP) through OpenSSL's `id-aesN-wrap-pad`. */
export function aesKeyWrapPad(kek: Buffer, data: Buffer): Buffer {
  // RFC 5649 section 4.1 wraps 1 to 2^32 octets; OpenSSL returns nothing for none, which would unwrap to
  // nothing on the other side instead of failing here.
  if (data.length === 0) throw new KeyplaneError("INVALID_INPUT", "AES key wrap: nothing to wrap (0 bytes)");
  const cipher = createCipheriv(cipherName(kek), kek, KWP_IV);
  const wrapped = cipher.update(data);
  // OpenSSL's wrap modes emit everything from update(); final() only ends the context (freeing, and so
  // cleansing, its key schedule now rather than at garbage collection), so its empty output is not copied.
  const rest = cipher.final();
  return rest.length === 0 ? wrapped : Buffer.concat([wrapped, rest]);
}

/** The inverse; OpenSSL checks the integrity value and the padding, so a wrong key or a flipped bit throws. */
export function aesKeyUnwrapPad(kek: Buffer, wrapped: Buffer): Buffer {
  try {
    const decipher = createDecipheriv(cipherName(kek), kek, KWP_IV);
    return Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch (error) {
    if (error instanceof KeyplaneError) throw error;
    throw new KeyplaneError(
      "INTEGRITY",
      "AES key unwrap: integrity check failed (wrong key or altered data)",
      {
        cause: error,
      },
    );
  }
}
