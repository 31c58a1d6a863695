import { KEY_SPEC_INFO } from "../byok/vocabulary/key-specs";
import type { KeyRecord } from "./model";

/**
 * AWS KMS's default request quotas (requests per second, per account and Region), as token buckets.
 * Cryptographic operations share one bucket per key type, as in KMS.
 * https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html
 */
const CRYPTOGRAPHIC = new Set([
  "Decrypt",
  "Encrypt",
  "GenerateDataKey",
  "GenerateDataKeyWithoutPlaintext",
  "GenerateMac",
  "GenerateRandom",
  "ReEncrypt",
  "VerifyMac",
  "Sign",
  "Verify",
]);

/** Symmetric cryptographic operations: the largest Regions get more. */
function symmetricRate(region: string): number {
  if (["us-east-1", "us-west-2", "eu-west-1"].includes(region)) return 100_000;
  if (
    ["us-east-2", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "eu-central-1", "eu-west-2"].includes(
      region,
    )
  ) {
    return 50_000;
  }
  return 20_000;
}

const CRYPTOGRAPHIC_RSA = 500;
const CRYPTOGRAPHIC_ECC = 300;

const PER_OPERATION: Readonly<Record<string, number>> = {
  CancelKeyDeletion: 5,
  CreateAlias: 5,
  CreateGrant: 50,
  CreateKey: 50,
  DeleteAlias: 5,
  DeleteImportedKeyMaterial: 5,
  DescribeKey: 2000,
  DisableKey: 5,
  DisableKeyRotation: 5,
  EnableKey: 5,
  EnableKeyRotation: 5,
  GetKeyPolicy: 1000,
  GetKeyRotationStatus: 1000,
  GetParametersForImport: 5,
  GetPublicKey: 2000,
  ImportKeyMaterial: 5,
  ListAliases: 100,
  ListGrants: 100,
  ListKeyPolicies: 100,
  ListKeyRotations: 100,
  ListKeys: 100,
  ListResourceTags: 100,
  PutKeyPolicy: 5,
  ReplicateKey: 5,
  RetireGrant: 30,
  RevokeGrant: 30,
  RotateKeyOnDemand: 5,
  ScheduleKeyDeletion: 5,
  TagResource: 10,
  UntagResource: 5,
  UpdateAlias: 5,
  UpdateKeyDescription: 5,
};

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class Quotas {
  private readonly buckets = new Map<string, Bucket>();

  /**
   * Takes one token for `operation` in `region`; false means throttled. `key` (when the request names one)
   * decides which cryptographic bucket applies. Uses real time: quotas are about request rates, not the
   * sandbox's movable clock.
   */
  take(operation: string, region: string, key: KeyRecord | undefined, now = Date.now()): boolean {
    const [name, rate] = this.bucketOf(operation, region, key);
    if (rate === undefined) return true;
    const id = `${region}/${name}`;
    const bucket = this.buckets.get(id) ?? { tokens: rate, updatedAt: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate);
    bucket.updatedAt = now;
    this.buckets.set(id, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private bucketOf(
    operation: string,
    region: string,
    key: KeyRecord | undefined,
  ): [string, number | undefined] {
    if (!CRYPTOGRAPHIC.has(operation)) return [operation, PER_OPERATION[operation]];
    const family = key ? KEY_SPEC_INFO[key.keySpec].family : "symmetric";
    if (family === "rsa") return ["cryptographic-rsa", CRYPTOGRAPHIC_RSA];
    if (family === "ecc") return ["cryptographic-ecc", CRYPTOGRAPHIC_ECC];
    return ["cryptographic-symmetric", symmetricRate(region)];
  }
}
