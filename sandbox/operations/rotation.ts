import { randomBytes } from "node:crypto";
import { type Context, findKey, invalidState } from "../context";
import { randomMaterialId } from "../crypto";
import { isPending, isSymmetricEncryption } from "../key-metadata";
import type { KeyRecord, MaterialRecord } from "../model";
import { type OperationTable, reads, writes } from "../operation";
import { paginate } from "../pagination";
import { epochSeconds, errors, type Input, KmsError } from "../protocol";
import { optionalEnum, optionalInteger, requiredString } from "../validate";

const DAY = 86_400_000;
const DEFAULT_ROTATION_DAYS = 365;
/** KMS allows 25 on-demand rotations per key (a resource quota that cannot be raised). */
const ON_DEMAND_ROTATIONS_PER_KEY = 25;

function rotationKey(context: Context, input: Input): KeyRecord {
  return findKey(context, requiredString(input, "KeyId", { max: 2048 }), { alias: false });
}

/** Automatic rotation: symmetric encryption keys whose material KMS generated, managed on the primary. */
function assertAutoRotatable(key: KeyRecord): void {
  if (!isSymmetricEncryption(key)) {
    throw errors.unsupported(
      `${key.arn} is not a symmetric encryption key; KMS rotates only those automatically.`,
    );
  }
  // KMS's wording for an origin an operation does not take (quoted in public issue threads).
  if (key.origin !== "AWS_KMS") {
    throw errors.unsupported(`${key.arn} origin is ${key.origin} which is not valid for this operation.`);
  }
  if (key.multiRegionRole === "REPLICA") {
    throw errors.unsupported(`${key.arn} is a replica key; manage rotation on its primary key.`);
  }
}

function assertRotationState(key: KeyRecord): void {
  if (key.state === "Disabled") throw errors.disabled(`${key.arn} is disabled.`);
  if (key.state !== "Enabled") throw invalidState(key);
}

/** Rotation settings of a multi-Region primary are shared by its replicas. */
function withReplicas(context: Context, key: KeyRecord): KeyRecord[] {
  if (!key.multiRegion) return [key];
  return [...context.store.keys.values()].filter((other) => other.keyId === key.keyId);
}

function enableKeyRotation(context: Context, input: Input) {
  const period =
    optionalInteger(input, "RotationPeriodInDays", { min: 90, max: 2560 }) ?? DEFAULT_ROTATION_DAYS;
  const key = rotationKey(context, input);
  assertAutoRotatable(key);
  assertRotationState(key);
  const lastRotation = Math.max(
    key.createdAt,
    ...key.materials.map((material) => material.rotationDate ?? 0),
  );
  const next = Math.max(lastRotation + period * DAY, context.now);
  for (const related of withReplicas(context, key)) {
    related.rotation = { enabled: true, periodDays: period, nextRotationDate: next };
  }
  return {};
}

function disableKeyRotation(context: Context, input: Input) {
  const key = rotationKey(context, input);
  assertAutoRotatable(key);
  assertRotationState(key);
  for (const related of withReplicas(context, key)) related.rotation = { enabled: false };
  return {};
}

/**
 * Keys KMS cannot rotate automatically (asymmetric, HMAC, imported) answer "false" rather than an error;
 * Terraform's provider asks this of every key whose material KMS generated.
 */
function getKeyRotationStatus(context: Context, input: Input) {
  const key = rotationKey(context, input);
  const output: Record<string, unknown> = { KeyRotationEnabled: key.rotation.enabled, KeyId: key.arn };
  if (key.rotation.enabled) {
    output.RotationPeriodInDays = key.rotation.periodDays;
    if (key.rotation.nextRotationDate !== undefined) {
      output.NextRotationDate = epochSeconds(key.rotation.nextRotationDate);
    }
  }
  return output;
}

/** Makes `material` current, as of `when`, and retires the previous current material. */
export function promote(
  key: KeyRecord,
  material: MaterialRecord,
  type: "AUTOMATIC" | "ON_DEMAND",
  when: number,
): void {
  for (const other of key.materials) if (other.state === "CURRENT") other.state = "NON_CURRENT";
  material.state = "CURRENT";
  material.rotationType = type;
  material.rotationDate = when;
}

/**
 * A fresh generated material for an AWS_KMS symmetric key (rotation). Synchronous on purpose: a rotation
 * that falls due is applied in one step, so two concurrent requests cannot both apply it.
 */
export function freshMaterial(now: number): MaterialRecord {
  return {
    id: randomMaterialId(),
    bytes: randomBytes(32).toString("base64"),
    state: "PENDING_ROTATION",
    createdAt: now,
  };
}

/**
 * KMS checks the key state first (a disabled key is a DisabledException whatever its type), then whether the
 * key can rotate, then the quota, then (imported material) whether new material waits in every Region.
 */
function rotateKeyOnDemand(context: Context, input: Input) {
  const key = rotationKey(context, input);
  assertRotationState(key);
  if (!isSymmetricEncryption(key)) {
    throw errors.unsupported(
      `${key.arn} is not a symmetric encryption key; only those can be rotated on demand.`,
    );
  }
  if (key.multiRegionRole === "REPLICA") {
    throw errors.unsupported(`${key.arn} is a replica key; rotate its primary key.`);
  }
  const onDemand = key.materials.filter((material) => material.rotationType === "ON_DEMAND").length;
  if (onDemand >= ON_DEMAND_ROTATIONS_PER_KEY) {
    throw new KmsError(
      "LimitExceededException",
      `${key.arn} has reached the quota of ${ON_DEMAND_ROTATIONS_PER_KEY} on-demand rotations.`,
    );
  }
  if (key.origin === "EXTERNAL") {
    // Imported keys rotate to material imported beforehand with ImportType NEW_KEY_MATERIAL.
    const pending = key.materials.find(isPending);
    if (pending?.state === "PENDING_MULTI_REGION_IMPORT_AND_ROTATION") {
      throw errors.invalidState(
        `${key.arn} cannot rotate: key material ${pending.id} is not yet imported into every replica key.`,
      );
    }
    if (!pending?.bytes) {
      throw errors.invalidState(
        `${key.arn} has no new key material to rotate to; import it with ImportType NEW_KEY_MATERIAL first.`,
      );
    }
    for (const related of withReplicas(context, key)) {
      const copy = related.materials.find((material) => material.id === pending.id);
      if (copy) promote(related, copy, "ON_DEMAND", context.now);
    }
    return { KeyId: key.arn };
  }
  const material = freshMaterial(context.now);
  for (const related of withReplicas(context, key)) {
    const copy = { ...material };
    related.materials.push(copy);
    promote(related, copy, "ON_DEMAND", context.now);
  }
  return { KeyId: key.arn };
}

function listKeyRotations(context: Context, input: Input) {
  const key = rotationKey(context, input);
  const include = optionalEnum(input, "IncludeKeyMaterial", ["ALL_KEY_MATERIAL", "ROTATIONS_ONLY"] as const);
  if (!isSymmetricEncryption(key)) {
    throw errors.unsupported(`${key.arn} is not a symmetric encryption key; it has no rotations.`);
  }
  const materials =
    include === "ALL_KEY_MATERIAL"
      ? key.materials
      : key.materials.filter((material) => material.rotationType);
  const { page, meta } = paginate(materials, input, { default: 100, max: 1000 });
  return { Rotations: page.map((material) => rotationEntry(key, material)), ...meta };
}

function rotationEntry(key: KeyRecord, material: MaterialRecord): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    KeyId: key.keyId,
    KeyMaterialId: material.id,
    KeyMaterialState: material.state,
  };
  if (material.description !== undefined) entry.KeyMaterialDescription = material.description;
  if (key.origin === "EXTERNAL") {
    entry.ImportState = material.importState ?? "PENDING_IMPORT";
    if (material.expirationModel) entry.ExpirationModel = material.expirationModel;
    if (material.validTo !== undefined) entry.ValidTo = epochSeconds(material.validTo);
  }
  if (material.rotationDate !== undefined) entry.RotationDate = epochSeconds(material.rotationDate);
  if (material.rotationType) entry.RotationType = material.rotationType;
  return entry;
}

export const rotationOperations: OperationTable = {
  EnableKeyRotation: writes(enableKeyRotation),
  DisableKeyRotation: writes(disableKeyRotation),
  GetKeyRotationStatus: reads(getKeyRotationStatus),
  RotateKeyOnDemand: writes(rotateKeyOnDemand),
  ListKeyRotations: reads(listKeyRotations),
};
