import { KEY_SPEC_INFO, type KeySpec } from "./key-specs";

/**
 * AWS KMS's default request quotas (requests per second, per account and Region), copied from the AWS KMS
 * Developer Guide, "Request quotas" (requests-per-second), table "Request quotas for each AWS KMS API
 * operation": https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html
 * Cryptographic operations share one quota per key type; GenerateDataKeyPair(WithoutPlaintext) share one
 * quota per data key pair spec; every other operation has its own. The sandbox enforces these with
 * `--quotas aws`, and keyplane's clients pace themselves to them so fleet work is not throttled.
 */
export const CRYPTOGRAPHIC_OPERATIONS: ReadonlySet<string> = new Set([
  "Decrypt",
  "DeriveSharedSecret",
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

/** "Cryptographic operations (symmetric) request rate": 10,000, more in the largest Regions. */
export function symmetricCryptographicRate(region: string): number {
  if (["us-east-1", "us-west-2", "eu-west-1"].includes(region)) return 100_000;
  if (
    ["us-east-2", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "eu-central-1", "eu-west-2"].includes(
      region,
    )
  ) {
    return 20_000;
  }
  return 10_000;
}

/** "Cryptographic operations (RSA) request rate". */
export const CRYPTOGRAPHIC_RSA_RATE = 1000;
/** "Cryptographic operations (ECC and SM2) request rate". */
export const CRYPTOGRAPHIC_ECC_RATE = 1000;

/** "GenerateDataKeyPair (<spec>) request rate", outside the China Regions. */
export const DATA_KEY_PAIR_RATES: Readonly<Record<string, number>> = {
  ECC_NIST_P256: 100,
  ECC_NIST_P384: 100,
  ECC_NIST_P521: 100,
  ECC_SECG_P256K1: 100,
  ECC_NIST_EDWARDS25519: 100,
  RSA_2048: 20,
  RSA_3072: 4,
  RSA_4096: 1,
};

/** Per-operation quotas ("<Operation> request rate"). */
export const OPERATION_RATES: Readonly<Record<string, number>> = {
  CancelKeyDeletion: 5,
  CreateAlias: 5,
  CreateGrant: 50,
  CreateKey: 5,
  DeleteAlias: 15,
  DeleteImportedKeyMaterial: 15,
  DescribeKey: 2000,
  DisableKey: 5,
  DisableKeyRotation: 5,
  EnableKey: 5,
  EnableKeyRotation: 15,
  GetKeyLastUsage: 5,
  GetKeyPolicy: 1000,
  GetKeyRotationStatus: 1000,
  GetParametersForImport: 1,
  GetPublicKey: 2000,
  ImportKeyMaterial: 15,
  ListAliases: 500,
  ListGrants: 100,
  ListKeyPolicies: 100,
  ListKeyRotations: 100,
  ListKeys: 500,
  ListResourceTags: 2000,
  ListRetirableGrants: 100,
  PutKeyPolicy: 15,
  ReplicateKey: 5,
  RetireGrant: 50,
  RevokeGrant: 50,
  RotateKeyOnDemand: 5,
  ScheduleKeyDeletion: 15,
  TagResource: 10,
  UntagResource: 5,
  UpdateAlias: 5,
  UpdateKeyDescription: 5,
  UpdatePrimaryRegion: 5,
};

const DATA_KEY_PAIR_OPERATIONS: ReadonlySet<string> = new Set([
  "GenerateDataKeyPair",
  "GenerateDataKeyPairWithoutPlaintext",
]);

/**
 * The quota an operation counts against: its name (the shared cryptographic quota of the key's type for
 * cryptographic operations; the pair spec's quota for GenerateDataKeyPair) and requests per second; `rate`
 * is undefined for operations without a quota of their own here.
 */
export function quotaOf(
  operation: string,
  region: string,
  keySpec?: KeySpec,
  dataKeyPairSpec?: string,
): { quota: string; rate: number | undefined } {
  if (DATA_KEY_PAIR_OPERATIONS.has(operation)) {
    const spec = dataKeyPairSpec ?? "RSA_2048";
    return { quota: `GenerateDataKeyPair-${spec}`, rate: DATA_KEY_PAIR_RATES[spec] };
  }
  if (!CRYPTOGRAPHIC_OPERATIONS.has(operation)) return { quota: operation, rate: OPERATION_RATES[operation] };
  const family = keySpec ? KEY_SPEC_INFO[keySpec].family : "symmetric";
  if (family === "rsa") return { quota: "cryptographic-rsa", rate: CRYPTOGRAPHIC_RSA_RATE };
  if (family === "ecc") return { quota: "cryptographic-ecc", rate: CRYPTOGRAPHIC_ECC_RATE };
  return { quota: "cryptographic-symmetric", rate: symmetricCryptographicRate(region) };
}
