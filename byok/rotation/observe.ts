import { GetKeyRotationStatusCommand, type KMSClient } from "@aws-sdk/client-kms";
import { kmsCall } from "../kms/aws-error";
import type { ListedKey } from "../kms/list-keys";
import { listKeyRotations } from "../kms/list-rotations";
import { serverNow } from "../kms/server-time";

/** One key's rotation facts as KMS reports them: the input of the rotation model. */
export interface ObservedRotation {
  key: ListedKey;
  automaticEnabled: boolean;
  periodDays?: number;
  nextRotationDate?: Date;
  /** Latest completed rotation (automatic or on demand), if any. */
  lastRotationDate?: Date;
  /** Imported symmetric keys: material waiting for RotateKeyOnDemand (imported as NEW_KEY_MATERIAL). */
  pendingMaterialId?: string;
  currentMaterialId?: string;
  observedAt: Date;
}

function isSymmetricEncryption(key: ListedKey): boolean {
  return key.metadata.KeySpec === "SYMMETRIC_DEFAULT" && key.metadata.KeyUsage === "ENCRYPT_DECRYPT";
}

/**
 * Rotation status and history of a key. Only symmetric encryption keys have either;
 * the others are observed with no rotation at all (the model says what a runbook does for them).
 * https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys.html
 */
export async function observeRotation(client: KMSClient, key: ListedKey): Promise<ObservedRotation> {
  const keyArn = key.metadata.Arn ?? key.metadata.KeyId ?? "";
  const observed: ObservedRotation = { key, automaticEnabled: false, observedAt: serverNow(client) };
  if (key.metadata.CurrentKeyMaterialId) observed.currentMaterialId = key.metadata.CurrentKeyMaterialId;
  if (!isSymmetricEncryption(key) || key.metadata.KeyState === "PendingImport") return observed;
  const status = await kmsCall(`GetKeyRotationStatus ${keyArn}`, () =>
    client.send(new GetKeyRotationStatusCommand({ KeyId: keyArn })),
  );
  observed.automaticEnabled = status.KeyRotationEnabled === true;
  if (status.RotationPeriodInDays) observed.periodDays = status.RotationPeriodInDays;
  if (status.NextRotationDate) observed.nextRotationDate = status.NextRotationDate;
  const entries = await listKeyRotations(client, keyArn, {
    includeMaterial: key.metadata.Origin === "EXTERNAL",
  });
  const rotated = entries
    .map((entry) => entry.RotationDate)
    .filter((date): date is Date => date !== undefined)
    .sort((a, b) => a.getTime() - b.getTime());
  const last = rotated.at(-1);
  if (last) observed.lastRotationDate = last;
  const pending = entries.find((entry) => entry.KeyMaterialState === "PENDING_ROTATION");
  if (pending?.KeyMaterialId) observed.pendingMaterialId = pending.KeyMaterialId;
  const current = entries.find((entry) => entry.KeyMaterialState === "CURRENT");
  if (current?.KeyMaterialId) observed.currentMaterialId = current.KeyMaterialId;
  return observed;
}
