import { generateWrappingKeyPair } from "./crypto";

export interface WrappingKeyPair {
  publicKey: Buffer;
  privateKey: Buffer;
}

/**
 * RSA wrapping key pairs for GetParametersForImport. By default every call gets a pair of its own, never
 * reused, as in AWS; once a size has been asked for, one spare of that size is generated in the background
 * so the next ceremony does not wait seconds for RSA-4096 key generation. With a pool of N, the first N
 * pairs of a size are kept and then handed out in turn (each with its own import token): rehearsing a batch
 * of hundreds of imports then measures the run, not this machine's RSA key generation.
 */
export class WrappingKeys {
  private readonly spares = new Map<number, Promise<WrappingKeyPair>>();
  private readonly pools = new Map<number, { pairs: Promise<WrappingKeyPair>[]; next: number }>();

  constructor(private readonly poolSize = 0) {
    if (!Number.isInteger(poolSize) || poolSize < 0) {
      throw new RangeError(`wrapping key pool must be a whole number >= 0, got ${poolSize}`);
    }
  }

  take(bits: number): Promise<WrappingKeyPair> {
    if (this.poolSize > 0) return this.fromPool(bits);
    const ready = this.spares.get(bits) ?? generateWrappingKeyPair(bits);
    const spare = generateWrappingKeyPair(bits);
    // A failed spare is dropped; the next take generates its own pair.
    spare.catch(() => this.spares.delete(bits));
    this.spares.set(bits, spare);
    return ready;
  }

  private fromPool(bits: number): Promise<WrappingKeyPair> {
    const pool = this.pools.get(bits) ?? { pairs: [], next: 0 };
    this.pools.set(bits, pool);
    if (pool.pairs.length < this.poolSize) {
      const pair = generateWrappingKeyPair(bits);
      const index = pool.pairs.push(pair) - 1;
      // A failed generation leaves its slot to be filled again.
      pair.catch(() => pool.pairs.splice(index, 1));
      return pair.then(copy);
    }
    const pair = pool.pairs[pool.next % pool.pairs.length] as Promise<WrappingKeyPair>;
    pool.next += 1;
    return pair.then(copy);
  }
}

/** Callers zero the private key they are given; the pool keeps its own copy. */
function copy(pair: WrappingKeyPair): WrappingKeyPair {
  return { publicKey: Buffer.from(pair.publicKey), privateKey: Buffer.from(pair.privateKey) };
}
