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

/**
 * Exactly what keyplane's custodian workflows call on a key (`byok ceremony`, `rotation apply`, `expiry
 * renew`): read the key and its tags and materials, fetch import parameters, import, rotate on demand, delete
 * pending material. Never use: the verify step's use is its own statement (`CUSTODIAN_VERIFY_CONTEXT`).
 */
export const CUSTODIAN_ACTIONS = [
  "kms:DeleteImportedKeyMaterial",
  "kms:DescribeKey",
  "kms:GetKeyRotationStatus",
  "kms:GetParametersForImport",
  "kms:ImportKeyMaterial",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:RotateKeyOnDemand",
] as const;

/** What keyplane's fleet scans read on every key of an account (tags, state, materials, rotation). */
export const READER_ACTIONS = [
  "kms:DescribeKey",
  "kms:GetKeyRotationStatus",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
] as const;

/**
 * The encryption context key only the verify step after an import uses (byok/import/verify.ts): custodians
 * may Encrypt/Decrypt under a context holding this key and nothing else, so they prove the import without
 * being able to read data (data's encryption context never carries it).
 */
export const CUSTODIAN_VERIFY_CONTEXT = "keyplane:verify";

/** Whether a statement only allows use under the verify step's encryption context (not data access). */
export function isVerifyOnly(statement: { Condition?: Record<string, Record<string, unknown>> }): boolean {
  return statement.Condition?.StringLike?.[`kms:EncryptionContext:${CUSTODIAN_VERIFY_CONTEXT}`] !== undefined;
}

/** What the verify step calls, by key usage: an Encrypt/Decrypt round trip, a MAC, or the public key. */
export function custodianVerifyActions(usage: KeyUsage, symmetric: boolean): string[] {
  if (usage === "GENERATE_VERIFY_MAC") return ["kms:GenerateMac"];
  if (!symmetric) return ["kms:GetPublicKey"];
  return ["kms:Decrypt", "kms:Encrypt"];
}

/** The Sid of the deploy principal's statement (KeyPolicy.allowDeployers): guardrails tell it apart. */
export const DEPLOYER_SID = "KeyDeployers";

/**
 * What `terraform apply` (and destroy) of keyplane's stacks calls on a key as the deploy principal: the
 * provider creates, reads back (policy, rotation, tags), updates and schedules deletion; never uses.
 */
export const DEPLOYER_ACTIONS = [
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKeyRotation",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:ReplicateKey",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
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
