import type { KeyMetadata, KMSClient } from "@aws-sdk/client-kms";
import { listKeyRotations } from "../kms/list-rotations";
import { resolveKey } from "../kms/resolve-key";
import { KEY_SPEC_INFO, type KeySpec } from "../vocabulary/key-specs";

/** What KMS says about a key's material, read once per flow step that needs it. */
export interface MaterialObservation {
  metadata: KeyMetadata;
  currentId: string | null;
  pendingId: string | null;
  /** Every key material id KMS lists for the key (current, pending, earlier). */
  ids: string[];
}

/**
 * Only symmetric encryption keys hold several materials (ListKeyRotations with IncludeKeyMaterial); other
 * imported keys have one, named by DescribeKey's CurrentKeyMaterialId.
 */
export async function observeMaterials(client: KMSClient, key: string): Promise<MaterialObservation> {
  const metadata = await resolveKey(client, key);
  const keyArn = metadata.Arn ?? key;
  const currentId = metadata.CurrentKeyMaterialId ?? null;
  const spec = metadata.KeySpec as KeySpec | undefined;
  const multiMaterial =
    spec !== undefined &&
    KEY_SPEC_INFO[spec]?.family === "symmetric" &&
    metadata.KeyState !== "PendingImport";
  if (!multiMaterial) return { metadata, currentId, pendingId: null, ids: currentId ? [currentId] : [] };
  const listed = await listKeyRotations(client, keyArn, { includeMaterial: true });
  const ids = listed.flatMap((entry) => (entry.KeyMaterialId ? [entry.KeyMaterialId] : []));
  if (currentId && !ids.includes(currentId)) ids.push(currentId);
  const pending = listed.find((entry) => entry.KeyMaterialState === "PENDING_ROTATION");
  return { metadata, currentId, pendingId: pending?.KeyMaterialId ?? null, ids };
}
