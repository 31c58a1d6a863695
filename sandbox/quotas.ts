import { quotaOf } from "../byok/vocabulary/kms-quotas";
import type { KeyRecord } from "./model";

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * AWS KMS's default request quotas as token buckets, one per quota, account and Region (as AWS counts them), a
 * second's worth deep.
 */
export class Quotas {
  private readonly buckets = new Map<string, Bucket>();

  /**
   * Takes one token for `operation` in `region`; false means throttled. `key` (when the request names one)
   * decides which cryptographic quota applies; GenerateDataKeyPair counts against its `dataKeyPairSpec`'s quota. Uses real time: quotas are about request rates, not the
   * sandbox's movable clock.
   */
  take(
    operation: string,
    region: string,
    key: KeyRecord | undefined,
    now = Date.now(),
    dataKeyPairSpec?: string,
    account = "",
  ): boolean {
    const { quota, rate } = quotaOf(operation, region, key?.keySpec, dataKeyPairSpec);
    if (rate === undefined) return true;
    const id = `${account}/${region}/${quota}`;
    const bucket = this.buckets.get(id) ?? { tokens: rate, updatedAt: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate);
    bucket.updatedAt = now;
    this.buckets.set(id, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
