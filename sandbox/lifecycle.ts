import type { KeyRecord } from "./model";
import { forgetMaterial } from "./operations/import";
import { freshMaterial, promote } from "./operations/rotation";
import type { Store } from "./store";

const DAY = 86_400_000;

/**
 * What time does to keys, applied whenever the sandbox's clock is read for a request or moved: imported
 * material past ValidTo is deleted (the key goes PendingImport), due automatic rotations happen, and keys
 * past their deletion date disappear with their aliases and grants. Returns whether anything changed.
 */
export function applyTime(store: Store, now: number): boolean {
  let changed = false;
  for (const key of [...store.keys.values()]) {
    if (key.state === "PendingDeletion" && key.deletionDate !== undefined && key.deletionDate <= now) {
      deleteKey(store, key);
      changed = true;
      continue;
    }
    changed = finishCreating(key, now) || changed;
    changed = expireMaterial(key, now) || changed;
    changed = rotateIfDue(key, now) || changed;
  }
  if (changed) syncReplicas(store);
  for (const [tokenId, parameters] of store.importParameters) {
    // Expired parameters are kept a week so a late import gets ExpiredImportTokenException, not "invalid".
    if (parameters.validTo + 7 * DAY <= now) {
      store.importParameters.delete(tokenId);
      changed = true;
    }
  }
  return changed;
}

function deleteKey(store: Store, key: KeyRecord): void {
  store.keys.delete(key.arn);
  for (const [arn, alias] of store.aliases) {
    if (alias.region === key.region && alias.targetKeyId === key.keyId) store.aliases.delete(arn);
  }
  for (const [grantId, grant] of store.grants) if (grant.keyArn === key.arn) store.grants.delete(grantId);
}

/** A replica's creation ends: generated material is shared at once, imported material waits for its import. */
function finishCreating(key: KeyRecord, now: number): boolean {
  if (key.state !== "Creating" || (key.creatingUntil ?? 0) > now) return false;
  key.state = key.origin === "EXTERNAL" ? "PendingImport" : "Enabled";
  delete key.creatingUntil;
  return true;
}

function expireMaterial(key: KeyRecord, now: number): boolean {
  let changed = false;
  for (const material of key.materials) {
    if (material.bytes && material.validTo !== undefined && material.validTo <= now) {
      forgetMaterial(key, material);
      changed = true;
    }
  }
  return changed;
}

/** Automatic rotation, once per period that has passed (KMS does not catch up more than that). */
function rotateIfDue(key: KeyRecord, now: number): boolean {
  const { rotation } = key;
  if (!rotation.enabled || rotation.nextRotationDate === undefined || rotation.periodDays === undefined)
    return false;
  if (rotation.nextRotationDate > now || key.state === "PendingDeletion") return false;
  if (key.multiRegionRole === "REPLICA") return false;
  let when: number = rotation.nextRotationDate;
  while (when <= now) {
    const material = freshMaterial(when);
    key.materials.push(material);
    promote(key, material, "AUTOMATIC", when);
    when += rotation.periodDays * DAY;
  }
  rotation.nextRotationDate = when;
  return true;
}

/** Replicas follow their primary's generated material. */
function syncReplicas(store: Store): void {
  for (const key of store.keys.values()) {
    if (key.multiRegionRole !== "PRIMARY" || key.origin !== "AWS_KMS") continue;
    for (const other of store.keys.values()) {
      if (other.multiRegionRole === "REPLICA" && other.keyId === key.keyId && other !== key) {
        other.materials = key.materials.map((material) => ({ ...material }));
        other.rotation = { ...key.rotation };
      }
    }
  }
}
