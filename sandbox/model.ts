import type { KeySpec } from "../byok/vocabulary/key-specs";
import type { WrappingAlgorithm, WrappingKeySpec } from "../byok/vocabulary/wrapping";
import type { SandboxKeyUsage } from "./key-specs";
import type { Tag } from "./validate";

/** What the sandbox keeps. Times are epoch milliseconds; bytes are base64 (the state file is JSON). */

/** Creating: a replica between ReplicateKey and the end of its (asynchronous, in KMS) creation. */
export type KeyState = "Creating" | "Enabled" | "Disabled" | "PendingImport" | "PendingDeletion";
export type Origin = "AWS_KMS" | "EXTERNAL";
/**
 * PENDING_MULTI_REGION_IMPORT_AND_ROTATION: new material imported into a multi-Region primary but not yet into
 * every replica. Pending materials are not permanently associated with the key.
 */
export type KeyMaterialState =
  | "CURRENT"
  | "NON_CURRENT"
  | "PENDING_ROTATION"
  | "PENDING_MULTI_REGION_IMPORT_AND_ROTATION";
export type ExpirationModel = "KEY_MATERIAL_EXPIRES" | "KEY_MATERIAL_DOES_NOT_EXPIRE";

export interface MaterialRecord {
  /** KeyMaterialId: 64 hex characters. */
  id: string;
  /** Secret bytes (raw for symmetric/HMAC, PKCS#8 DER for asymmetric); absent once imported material expired or was deleted. */
  bytes?: string;
  state: KeyMaterialState;
  /** EXTERNAL keys only. */
  importState?: "IMPORTED" | "PENDING_IMPORT";
  expirationModel?: ExpirationModel;
  validTo?: number;
  description?: string;
  /** How this material became current (absent for a key's first material). */
  rotationType?: "AUTOMATIC" | "ON_DEMAND";
  rotationDate?: number;
  createdAt: number;
}

export interface RotationRecord {
  enabled: boolean;
  periodDays?: number;
  nextRotationDate?: number;
}

export interface KeyRecord {
  keyId: string;
  arn: string;
  region: string;
  accountId: string;
  createdAt: number;
  description: string;
  keySpec: KeySpec;
  keyUsage: SandboxKeyUsage;
  origin: Origin;
  state: KeyState;
  deletionDate?: number;
  pendingWindowInDays?: number;
  multiRegion: boolean;
  /** PRIMARY or REPLICA for multi-Region keys. */
  multiRegionRole?: "PRIMARY" | "REPLICA";
  /** A replica in state Creating becomes Enabled (or PendingImport) once the sandbox clock reaches this. */
  creatingUntil?: number;
  policy: string;
  tags: Tag[];
  rotation: RotationRecord;
  materials: MaterialRecord[];
  /** SubjectPublicKeyInfo DER (base64) of asymmetric keys with material. */
  publicKey?: string;
  /** The last successful cryptographic operation (GetKeyLastUsage). */
  lastUsage?: { operation: string; timestamp: number; requestId: string };
}

export interface AliasRecord {
  name: string;
  arn: string;
  region: string;
  targetKeyId: string;
  createdAt: number;
  updatedAt: number;
}

export interface GrantRecord {
  grantId: string;
  grantToken: string;
  keyArn: string;
  name?: string;
  granteePrincipal: string;
  retiringPrincipal?: string;
  operations: string[];
  constraints?: Record<string, Record<string, string>>;
  createdAt: number;
}

export interface ImportParameters {
  /** Hex id carried inside the import token. */
  tokenId: string;
  keyArn: string;
  algorithm: WrappingAlgorithm;
  wrappingKeySpec: WrappingKeySpec;
  /** PKCS#8 DER of the wrapping private key, base64. */
  privateKey: string;
  validTo: number;
}

export interface SandboxState {
  version: 1;
  keys: KeyRecord[];
  aliases: AliasRecord[];
  grants: GrantRecord[];
  importParameters: ImportParameters[];
  /** How far the sandbox clock runs ahead of real time: moving the clock is a change like any other. */
  clockOffsetMs?: number;
}
