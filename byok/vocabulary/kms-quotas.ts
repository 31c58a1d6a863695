import { KEY_SPEC_INFO, type KeySpec } from "./key-specs";

/**
 * AWS KMS's default request quotas (requests per second, per account and Region). Cryptographic operations
 * share one quota per key type; every other operation has its own. The sandbox enforces these with
 * `--quotas aws`, and keyplane's clients pace themselves to them so fleet work is not throttled.
 * https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html
 */
export const CRYPTOGRAPHIC_OPERATIONS: ReadonlySet<string> = new Set([
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
export function symmetricCryptographicRate(region: string): number {
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

export const CRYPTOGRAPHIC_RSA_RATE = 500;
export const CRYPTOGRAPHIC_ECC_RATE = 300;

/** Per-operation quotas of the management and import operations keyplane and Terraform call. */
export const OPERATION_RATES: Readonly<Record<string, number>> = {
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

/**
 * The quota an operation counts against: its name (the shared cryptographic quota of the key's type for
 * cryptographic operations) and requests per second; `rate` is undefined for operations without a quota
 * of their own here.
 */
export function quotaOf(
  operation: string,
  region: string,
  keySpec?: KeySpec,
): { quota: string; rate: number | undefined } {
  if (!CRYPTOGRAPHIC_OPERATIONS.has(operation)) return { quota: operation, rate: OPERATION_RATES[operation] };
  const family = keySpec ? KEY_SPEC_INFO[keySpec].family : "symmetric";
  if (family === "rsa") return { quota: "cryptographic-rsa", rate: CRYPTOGRAPHIC_RSA_RATE };
  if (family === "ecc") return { quota: "cryptographic-ecc", rate: CRYPTOGRAPHIC_ECC_RATE };
  return { quota: "cryptographic-symmetric", rate: symmetricCryptographicRate(region) };
}
