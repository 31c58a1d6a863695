import { generateWrappingKeyPair } from "./crypto";

export interface WrappingKeyPair {
  publicKey: Buffer;
  privateKey: Buffer;
}

/**
 * Fresh RSA wrapping key pairs for GetParametersForImport. Every call gets a pair of its own, never reused;
 * once a size has been asked for, one spare of that size is generated in the background so the next
 * ceremony does not wait seconds for RSA-4096 key generation.
 */
export class WrappingKeys {
  private readonly spares = new Map<number, Promise<WrappingKeyPair>>();

  take(bits: number): Promise<WrappingKeyPair> {
    const ready = this.spares.get(bits) ?? generateWrappingKeyPair(bits);
    const spare = generateWrappingKeyPair(bits);
    // A failed spare is dropped; the next take generates its own pair.
    spare.catch(() => this.spares.delete(bits));
    this.spares.set(bits, spare);
    return ready;
  }
}
