/** KMS actions by role: what each kind of principal in a key policy may do. */
import type { KeyUsage } from "../../byok/vocabulary/key-specs";

/**
 * Management only: never Encrypt, Decrypt, ReEncrypt, GenerateDataKey, nor CreateGrant (a grant would let
 * an administrator hand themselves use) nor the import operations (custodians' duty).
 */
export const ADMINISTRATOR_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:ReplicateKey",
  "kms:RetireGrant",
  "kms:RevokeGrant",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
  "kms:UpdatePrimaryRegion",
] as const;

/** AWS_KMS keys: on-demand rotation is a management action. External keys: the custodians'. */
export const ADMINISTRATOR_ROTATION_ACTION = "kms:RotateKeyOnDemand";

export const CUSTODIAN_ACTIONS = [
  "kms:GetParametersForImport",
  "kms:ImportKeyMaterial",
  "kms:DeleteImportedKeyMaterial",
  "kms:DescribeKey",
  "kms:RotateKeyOnDemand",
] as const;

/** Cryptographic actions by key usage (and whether the key is symmetric). */
export function userActions(usage: KeyUsage, symmetric: boolean): string[] {
  if (usage === "GENERATE_VERIFY_MAC") return ["kms:DescribeKey", "kms:GenerateMac", "kms:VerifyMac"];
  if (usage === "SIGN_VERIFY") return ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign", "kms:Verify"];
  if (!symmetric) return ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GetPublicKey"];
  return ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"];
}

export const GRANT_ACTIONS = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"] as const;

/** Actions that make data readable or writable under the key: the users' privilege alone. */
export const CRYPTOGRAPHIC_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncrypt*",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey*",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:GenerateDataKeyPair",
  "kms:Sign",
  "kms:GenerateMac",
  "kms:CreateGrant",
] as const;
