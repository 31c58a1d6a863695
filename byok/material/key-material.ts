import { inspect } from "node:util";
import { KeyplaneError } from "../errors";
import { checkValue } from "../kcv";
import type { KeySpec } from "../vocabulary/key-specs";

/**
 * Material lent for one synchronous use. `KeyMaterial` implements it; so may any holder that never keeps
 * the bytes (byok/ceremony/ports.ts CeremonyMaterial has the same shape).
 */
export interface LentMaterial {
  readonly keySpec: KeySpec;
  /** KCV (AES, HMAC) or public-key SHA-256 fingerprint (RSA, ECC): see byok/kcv.ts. */
  readonly checkValue: string;
  withBytes<T>(use: (bytes: Buffer) => T): T;
}

/**
 * Key material: raw bytes for SYMMETRIC_DEFAULT and HMAC specs, PKCS#8 DER for RSA and ECC.
 *
 * Opaque on purpose (Tink's model): printing, JSON and util.inspect show `[KeyMaterial SPEC kcv=...]`, never
 * bytes. The bytes are only lent to a callback. `dispose()` zeroes them; every use after that throws, so
 * a forgotten reference cannot resurrect zeros as a key. Callers dispose in `finally`.
 */
export class KeyMaterial implements LentMaterial {
  readonly keySpec: KeySpec;
  readonly checkValue: string;
  #bytes: Buffer | undefined;

  /** Takes ownership of `bytes` (they are zeroed on dispose). Validation is the loaders' job. */
  constructor(keySpec: KeySpec, bytes: Buffer) {
    this.keySpec = keySpec;
    this.#bytes = bytes;
    this.checkValue = checkValue(keySpec, bytes).value;
  }

  get disposed(): boolean {
    return this.#bytes === undefined;
  }

  get length(): number {
    return this.#live().length;
  }

  withBytes<T>(use: (bytes: Buffer) => T): T {
    return use(this.#live());
  }

  /** Zeroes the bytes; idempotent. */
  dispose(): void {
    this.#bytes?.fill(0);
    this.#bytes = undefined;
  }

  toString(): string {
    return `[KeyMaterial ${this.keySpec} kcv=${this.checkValue}${this.disposed ? " disposed" : ""}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }

  #live(): Buffer {
    if (!this.#bytes) {
      throw new KeyplaneError(
        "INTERNAL",
        `${this.keySpec} material kcv=${this.checkValue} was already disposed`,
      );
    }
    return this.#bytes;
  }
}
