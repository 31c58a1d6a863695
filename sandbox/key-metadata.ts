import type { SigningScheme } from "./crypto";
import { familyOf, SPEC_RULES } from "./key-specs";
import type { KeyRecord, MaterialRecord } from "./model";
import { epochSeconds, type Output } from "./protocol";

export const SIGNING_SCHEMES: Readonly<Record<string, SigningScheme>> = {
  RSASSA_PSS_SHA_256: { hash: "sha256", padding: "pss" },
  RSASSA_PSS_SHA_384: { hash: "sha384", padding: "pss" },
  RSASSA_PSS_SHA_512: { hash: "sha512", padding: "pss" },
  RSASSA_PKCS1_V1_5_SHA_256: { hash: "sha256", padding: "pkcs1" },
  RSASSA_PKCS1_V1_5_SHA_384: { hash: "sha384", padding: "pkcs1" },
  RSASSA_PKCS1_V1_5_SHA_512: { hash: "sha512", padding: "pkcs1" },
  ECDSA_SHA_256: { hash: "sha256" },
  ECDSA_SHA_384: { hash: "sha384" },
  ECDSA_SHA_512: { hash: "sha512" },
};

const ECDSA_ALGORITHM: Partial<Record<string, string>> = {
  ECC_NIST_P256: "ECDSA_SHA_256",
  ECC_SECG_P256K1: "ECDSA_SHA_256",
  ECC_NIST_P384: "ECDSA_SHA_384",
  ECC_NIST_P521: "ECDSA_SHA_512",
};

export function encryptionAlgorithms(key: KeyRecord): string[] {
  if (key.keyUsage !== "ENCRYPT_DECRYPT") return [];
  return familyOf(key.keySpec) === "rsa" ? ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] : ["SYMMETRIC_DEFAULT"];
}

export function signingAlgorithms(key: KeyRecord): string[] {
  if (key.keyUsage !== "SIGN_VERIFY") return [];
  if (familyOf(key.keySpec) === "rsa") {
    return Object.keys(SIGNING_SCHEMES).filter((name) => name.startsWith("RSASSA_"));
  }
  const ecdsa = ECDSA_ALGORITHM[key.keySpec];
  return ecdsa ? [ecdsa] : [];
}

/** Material waiting for RotateKeyOnDemand: not permanently associated with the key yet. */
export function isPending(material: MaterialRecord): boolean {
  return (
    material.state === "PENDING_ROTATION" || material.state === "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
  );
}

export function currentMaterial(key: KeyRecord): MaterialRecord | undefined {
  return key.materials.find((material) => material.state === "CURRENT");
}

export function isSymmetricEncryption(key: KeyRecord): boolean {
  return key.keySpec === "SYMMETRIC_DEFAULT";
}

/**
 * The expiry DescribeKey shows: any imported material that is not pending rotation takes the whole key to
 * PendingImport when it expires, so ValidTo is the earliest of theirs.
 * https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-delete-key-material.html
 */
function expiryOf(key: KeyRecord, current: MaterialRecord | undefined): Output {
  const validTos = key.materials
    .filter((material) => !isPending(material) && material.importState === "IMPORTED")
    .map((material) => material.validTo)
    .filter((validTo): validTo is number => validTo !== undefined);
  if (validTos.length > 0) {
    return { ExpirationModel: "KEY_MATERIAL_EXPIRES", ValidTo: epochSeconds(Math.min(...validTos)) };
  }
  if (current?.importState === "IMPORTED" && current.expirationModel) {
    return { ExpirationModel: current.expirationModel };
  }
  return {};
}

/**
 * KeyMetadata as DescribeKey, CreateKey and ReplicateKey return it. Terraform's provider reads KeyState, Origin,
 * KeyManager, Enabled, Description, KeyUsage, CustomerMasterKeySpec and MultiRegion (missing ones show as drift).
 */
export function keyMetadata(
  key: KeyRecord,
  replicas: readonly KeyRecord[],
  primary: KeyRecord | undefined,
): Output {
  const metadata: Output = {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: epochSeconds(key.createdAt),
    Enabled: key.state === "Enabled",
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
    Origin: key.origin,
    KeyManager: "CUSTOMER",
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    MultiRegion: key.multiRegion,
  };
  if (key.deletionDate !== undefined) {
    metadata.DeletionDate = epochSeconds(key.deletionDate);
    metadata.PendingDeletionWindowInDays = key.pendingWindowInDays;
  }
  const encryption = encryptionAlgorithms(key);
  if (encryption.length > 0) metadata.EncryptionAlgorithms = encryption;
  const signing = signingAlgorithms(key);
  if (signing.length > 0) metadata.SigningAlgorithms = signing;
  const mac = SPEC_RULES[key.keySpec].macAlgorithm;
  if (mac) metadata.MacAlgorithms = [mac];
  const current = currentMaterial(key);
  if (key.origin === "EXTERNAL") Object.assign(metadata, expiryOf(key, current));
  // Kept after the material is deleted or expires: the key waits for that same material. A replica being
  // created has none yet (ReplicateKey's answer shows none).
  if (isSymmetricEncryption(key) && current && key.state !== "Creating")
    metadata.CurrentKeyMaterialId = current.id;
  if (key.multiRegion && primary) {
    metadata.MultiRegionConfiguration = {
      MultiRegionKeyType: key.multiRegionRole,
      PrimaryKey: { Arn: primary.arn, Region: primary.region },
      ReplicaKeys: replicas.map((replica) => ({ Arn: replica.arn, Region: replica.region })),
    };
  }
  return metadata;
}
