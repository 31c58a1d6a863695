import type { KeyMetadata, KMSClient } from "@aws-sdk/client-kms";
import { createKmsClient, type KmsClientOptions } from "../kms/client";
import type { Limiter } from "../kms/limiter";
import { type ListedKey, listKeysAndRead } from "../kms/list-keys";
import { listKeyRotations } from "../kms/list-rotations";
import { serverNow } from "../kms/server-time";

/** One imported material of a key, as KMS reports it. */
export interface ObservedMaterial {
  keyMaterialId?: string;
  /** CURRENT | NON_CURRENT | PENDING_ROTATION (symmetric keys; others hold one material). */
  materialState?: string;
  /** IMPORTED | PENDING_IMPORT */
  importState: string;
  expirationModel?: string;
  validTo?: Date;
  description?: string;
}

/** One EXTERNAL key and its materials, read from KMS: the input of the expiry model. */
export interface ObservedExternalKey {
  key: ListedKey;
  materials: ObservedMaterial[];
  /** KMS's time when the key was read. */
  observedAt: Date;
}

export interface ExpiryScanOptions extends Omit<KmsClientOptions, "region"> {
  regions: readonly string[];
  limiter: Limiter;
  /** Keep only keys of this plan (tag keyplane:plan). */
  plan?: string;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Reads every EXTERNAL key of the given regions with each of its materials. Symmetric keys can hold several
 * materials (on-demand rotation of imported keys), listed by ListKeyRotations with IncludeKeyMaterial;
 * the other key specs hold one, described by DescribeKey's ValidTo and ExpirationModel.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html
 */
export async function scanExternalKeys(options: ExpiryScanOptions): Promise<ObservedExternalKey[]> {
  const done = options.regions.map(() => 0);
  const totals = options.regions.map(() => 0);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const perRegion = await Promise.all(
    options.regions.map(async (region, index) => {
      const client = createKmsClient({ ...options, region, maxAttempts: options.maxAttempts ?? 12 });
      try {
        const observed = await listKeysAndRead(client, {
          limiter: options.limiter,
          region,
          where: (metadata) => metadata.Origin === "EXTERNAL",
          // A key of another plan is not read further.
          readFurther: async (key) =>
            options.plan && key.tags.plan !== options.plan ? undefined : observe(client, key),
          onKey: (regionDone, regionTotal) => {
            done[index] = regionDone;
            totals[index] = regionTotal;
            options.onProgress?.(sum(done), sum(totals));
          },
        });
        return observed.filter((key): key is ObservedExternalKey => key !== undefined);
      } finally {
        client.destroy();
      }
    }),
  );
  return perRegion.flat();
}

async function observe(client: KMSClient, key: ListedKey): Promise<ObservedExternalKey> {
  const materials = await readMaterials(client, key.metadata);
  return { key, materials, observedAt: serverNow(client) };
}

/** Every material of one EXTERNAL key (also read by `keyplane audit`). */
export async function readMaterials(client: KMSClient, metadata: KeyMetadata): Promise<ObservedMaterial[]> {
  return metadata.KeySpec === "SYMMETRIC_DEFAULT" && metadata.KeyUsage === "ENCRYPT_DECRYPT"
    ? listMaterials(client, metadata.Arn ?? metadata.KeyId ?? "")
    : [singleMaterial(metadata)];
}

async function listMaterials(client: KMSClient, keyArn: string): Promise<ObservedMaterial[]> {
  const entries = await listKeyRotations(client, keyArn, { includeMaterial: true });
  return entries.map((entry) => {
    const material: ObservedMaterial = { importState: entry.ImportState ?? "PENDING_IMPORT" };
    if (entry.KeyMaterialId) material.keyMaterialId = entry.KeyMaterialId;
    if (entry.KeyMaterialState) material.materialState = entry.KeyMaterialState;
    if (entry.ExpirationModel) material.expirationModel = entry.ExpirationModel;
    if (entry.ValidTo) material.validTo = entry.ValidTo;
    if (entry.KeyMaterialDescription) material.description = entry.KeyMaterialDescription;
    return material;
  });
}

/**
 * A key spec with one material: its import state follows from the key state. A replica still being created
 * (Creating) has none yet: KMS creates replicas of imported keys without material.
 */
function singleMaterial(metadata: KeyMetadata): ObservedMaterial {
  const waiting = metadata.KeyState === "PendingImport" || metadata.KeyState === "Creating";
  const material: ObservedMaterial = { importState: waiting ? "PENDING_IMPORT" : "IMPORTED" };
  if (metadata.ExpirationModel) material.expirationModel = metadata.ExpirationModel;
  if (metadata.ValidTo) material.validTo = metadata.ValidTo;
  if (metadata.CurrentKeyMaterialId) material.keyMaterialId = metadata.CurrentKeyMaterialId;
  return material;
}
