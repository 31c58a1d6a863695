import { randomBytes, randomUUID } from "node:crypto";
import type { KeySpec } from "../../byok/vocabulary/key-specs";
import {
  assertCreated,
  assertNotPendingDeletion,
  type Context,
  findKey,
  invalidState,
  keyArn,
} from "../context";
import { generateMaterial, randomMaterialId } from "../crypto";
import { isPending } from "../key-metadata";
import {
  AWS_CUSTOMER_MASTER_KEY_SPECS,
  AWS_KEY_SPECS,
  isSandboxSpec,
  KEY_USAGE_TYPES,
  type SandboxKeyUsage,
  SPEC_RULES,
} from "../key-specs";
import type { KeyRecord, Origin } from "../model";
import { type OperationTable, reads, writes } from "../operation";
import { paginate } from "../pagination";
import { epochSeconds, errors, type Input, KmsError } from "../protocol";
import {
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalString,
  optionalTags,
  requiredString,
  validationFailure,
} from "../validate";
import { defaultPolicy, describe } from "./describe";
import { allMaterialPresent } from "./import";
import { checkPolicy } from "./policy-tags";

const ORIGINS = ["AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"] as const;
const DAY = 86_400_000;

/**
 * KeySpec and KeyUsage of a CreateKey request, checked in KMS's order once every member passed the front
 * end's shape checks: the deprecated CustomerMasterKeySpec, then "KeyUsage is required" (every spec but
 * SYMMETRIC_DEFAULT: RSA and ECC keys have two usages, and KMS does not guess for HMAC either), then whether the
 * usage fits the spec.
 */
function requestedSpecAndUsage(
  spec: string | undefined,
  legacy: string | undefined,
  usage: SandboxKeyUsage | undefined,
): { keySpec: KeySpec; keyUsage: SandboxKeyUsage } {
  if (spec && legacy) {
    throw errors.validation(
      "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.",
    );
  }
  const keySpec = spec ?? legacy ?? "SYMMETRIC_DEFAULT";
  if (usage === undefined && keySpec !== "SYMMETRIC_DEFAULT") {
    throw errors.validation(
      "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
    );
  }
  if (!isSandboxSpec(keySpec)) {
    throw errors.unsupported(`KeySpec ${keySpec} is not supported by the keyplane sandbox.`);
  }
  const keyUsage = usage ?? "ENCRYPT_DECRYPT";
  if (!SPEC_RULES[keySpec].usages.includes(keyUsage)) {
    throw errors.validation(`KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
  }
  return { keySpec, keyUsage };
}

async function createKey(context: Context, input: Input) {
  // The front end checks every member's shape first; the rules between members come after.
  const policy = optionalString(input, "Policy", { min: 1, max: 32768 });
  const description = optionalString(input, "Description", { max: 8192 }) ?? "";
  const usage = optionalEnum(input, "KeyUsage", KEY_USAGE_TYPES);
  const legacy = optionalEnum(input, "CustomerMasterKeySpec", AWS_CUSTOMER_MASTER_KEY_SPECS);
  const origin = optionalEnum(input, "Origin", ORIGINS) ?? "AWS_KMS";
  optionalString(input, "CustomKeyStoreId", { min: 1, max: 64 });
  optionalBoolean(input, "BypassPolicyLockoutSafetyCheck");
  const tags = optionalTags(input, "Tags") ?? [];
  const multiRegion = optionalBoolean(input, "MultiRegion") ?? false;
  optionalString(input, "XksKeyId", { min: 1, max: 128 });
  const spec = optionalEnum(input, "KeySpec", AWS_KEY_SPECS);
  const { keySpec, keyUsage } = requestedSpecAndUsage(spec, legacy, usage);
  if (origin === "AWS_CLOUDHSM" || origin === "EXTERNAL_KEY_STORE") {
    throw errors.unsupported(
      `Origin ${origin} needs a custom key store, which the keyplane sandbox does not have`,
    );
  }
  if (policy !== undefined) checkPolicy(policy);
  const keyId = multiRegion ? `mrk-${randomBytes(16).toString("hex")}` : randomUUID();
  const key: KeyRecord = {
    keyId,
    arn: keyArn(context.region, context.accountId, keyId),
    region: context.region,
    accountId: context.accountId,
    createdAt: context.now,
    description,
    keySpec,
    keyUsage,
    origin: origin as Origin,
    state: origin === "EXTERNAL" ? "PendingImport" : "Enabled",
    multiRegion,
    policy: policy ?? defaultPolicy(context.accountId),
    tags,
    rotation: { enabled: false },
    materials: [],
  };
  if (multiRegion) key.multiRegionRole = "PRIMARY";
  if (origin === "AWS_KMS") {
    const material = await generateMaterial(keySpec);
    key.materials.push({
      id: randomMaterialId(),
      bytes: material.bytes.toString("base64"),
      state: "CURRENT",
      createdAt: context.now,
    });
    material.bytes.fill(0);
    if (material.publicKey) key.publicKey = material.publicKey.toString("base64");
  }
  context.store.keys.set(key.arn, key);
  return { KeyMetadata: describe(context, key) };
}

function describeKey(context: Context, input: Input) {
  const key = findKey(context, requiredString(input, "KeyId", { max: 2048 }), { alias: true });
  return { KeyMetadata: describe(context, key) };
}

function listKeys(context: Context, input: Input) {
  const keys = [...context.store.keys.values()].filter(
    (key) => key.region === context.region && key.accountId === context.accountId,
  );
  const { page, meta } = paginate(keys, input, { default: 100, max: 1000 });
  return { Keys: page.map((key) => ({ KeyId: key.keyId, KeyArn: key.arn })), ...meta };
}

function managedKey(context: Context, input: Input): KeyRecord {
  return findKey(context, requiredString(input, "KeyId", { max: 2048 }), { alias: false });
}

function enableKey(context: Context, input: Input) {
  const key = managedKey(context, input);
  if (key.state === "PendingDeletion" || key.state === "PendingImport") throw invalidState(key);
  assertCreated(key);
  key.state = "Enabled";
  return {};
}

function disableKey(context: Context, input: Input) {
  const key = managedKey(context, input);
  if (key.state === "PendingDeletion" || key.state === "PendingImport") throw invalidState(key);
  assertCreated(key);
  key.state = "Disabled";
  return {};
}

function updateKeyDescription(context: Context, input: Input) {
  const description = optionalString(input, "Description", { max: 8192 });
  if (description === undefined) {
    throw new KmsError(
      "ValidationException",
      "1 validation error detected: Value null at 'description' failed to satisfy constraint: Member must not be null",
    );
  }
  const key = managedKey(context, input);
  assertNotPendingDeletion(key);
  key.description = description;
  return {};
}

function scheduleKeyDeletion(context: Context, input: Input) {
  const days = optionalInteger(input, "PendingWindowInDays", { min: 7, max: 30 }) ?? 30;
  const key = managedKey(context, input);
  assertNotPendingDeletion(key);
  assertCreated(key);
  key.state = "PendingDeletion";
  key.deletionDate = context.now + days * DAY;
  key.pendingWindowInDays = days;
  return {
    KeyId: key.arn,
    DeletionDate: epochSeconds(key.deletionDate),
    KeyState: key.state,
    PendingWindowInDays: days,
  };
}

function cancelKeyDeletion(context: Context, input: Input) {
  const key = managedKey(context, input);
  if (key.state !== "PendingDeletion") {
    throw errors.invalidState(`${key.arn} is not pending deletion (current state: ${key.state}).`);
  }
  // KMS leaves a key Disabled after cancellation; one missing imported material keeps it PendingImport.
  key.state = allMaterialPresent(key) ? "Disabled" : "PendingImport";
  delete key.deletionDate;
  delete key.pendingWindowInDays;
  return { KeyId: key.arn };
}

/**
 * How long a replica stays Creating, on the sandbox clock. KMS creates replicas asynchronously and says the
 * state "changes to Enabled (or PendingImport ...) after a few seconds"; a fixed time on the sandbox clock keeps
 * that observable and deterministic (moving the clock forward finishes it).
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html
 */
export const REPLICA_CREATION_MS = 2_000;

/** RegionType of the KMS model: a front-end check, made before the key is looked up. */
function requiredRegion(input: Input, field: string): string {
  const region = requiredString(input, field, { min: 1, max: 32 });
  if (!/^([a-z]+-){2,3}\d+$/.test(region)) {
    throw validationFailure(
      field,
      region,
      "Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$",
    );
  }
  return region;
}

async function replicateKey(context: Context, input: Input) {
  const keyId = requiredString(input, "KeyId", { max: 2048 });
  const replicaRegion = requiredRegion(input, "ReplicaRegion");
  const policy = optionalString(input, "Policy", { min: 1, max: 32768 });
  const description = optionalString(input, "Description", { max: 8192 });
  const tags = optionalTags(input, "Tags") ?? [];
  optionalBoolean(input, "BypassPolicyLockoutSafetyCheck");
  const primary = findKey(context, keyId, { alias: false });
  if (policy !== undefined) checkPolicy(policy);
  if (primary.multiRegionRole !== "PRIMARY") {
    throw errors.unsupported(`${primary.arn} is not a multi-Region primary key.`);
  }
  assertNotPendingDeletion(primary);
  if (replicaRegion === primary.region) {
    throw errors.validation(`The replica Region ${replicaRegion} must differ from the primary key's Region.`);
  }
  const arn = keyArn(replicaRegion, primary.accountId, primary.keyId);
  if (context.store.keys.has(arn)) throw errors.alreadyExists(`Replica key ${arn} already exists.`);
  // Replicas share the primary's generated material; imported material must be imported into each replica.
  const shared = primary.origin === "AWS_KMS";
  const replica: KeyRecord = {
    ...structuredClone(primary),
    arn,
    region: replicaRegion,
    createdAt: context.now,
    // A replica shares key material and spec, not the description: AWS leaves it empty unless given.
    description: description ?? "",
    multiRegionRole: "REPLICA",
    policy: policy ?? defaultPolicy(primary.accountId),
    tags,
    state: "Creating",
    creatingUntil: context.now + REPLICA_CREATION_MS,
  };
  delete replica.lastUsage;
  if (!shared) {
    replica.materials = replica.materials
      .filter((material) => !isPending(material))
      .map(({ id, state, createdAt, description, rotationType, rotationDate }) => ({
        id,
        state,
        createdAt,
        importState: "PENDING_IMPORT",
        ...(description === undefined ? {} : { description }),
        ...(rotationType === undefined ? {} : { rotationType }),
        ...(rotationDate === undefined ? {} : { rotationDate }),
      }));
    delete replica.publicKey;
  }
  context.store.keys.set(arn, replica);
  // The answer describes the replica while KMS is still creating it (no current material id yet), and
  // carries ReplicaTags only when tags were given.
  return {
    ReplicaKeyMetadata: describe({ ...context, region: replicaRegion }, replica),
    ReplicaPolicy: replica.policy,
    ...(replica.tags.length > 0 ? { ReplicaTags: replica.tags } : {}),
  };
}

/**
 * UpdatePrimaryRegion: the replica in PrimaryRegion becomes the primary and the primary becomes a replica.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdatePrimaryRegion.html
 */
function updatePrimaryRegion(context: Context, input: Input) {
  const keyId = requiredString(input, "KeyId", { max: 2048 });
  const region = requiredRegion(input, "PrimaryRegion");
  const key = findKey(context, keyId, { alias: false });
  if (key.multiRegionRole !== "PRIMARY") {
    throw errors.unsupported(`${key.arn} is not a multi-Region primary key.`);
  }
  assertNotPendingDeletion(key);
  if (key.state === "Disabled") throw errors.disabled(`${key.arn} is disabled.`);
  if (region === key.region) return {};
  const replica = context.store.keys.get(keyArn(region, key.accountId, key.keyId));
  if (!replica) throw errors.notFound(`There is no replica of ${key.arn} in ${region}.`);
  if (replica.state === "PendingDeletion") throw invalidState(replica);
  assertCreated(replica);
  key.multiRegionRole = "REPLICA";
  replica.multiRegionRole = "PRIMARY";
  return {};
}

export const keyOperations: OperationTable = {
  CreateKey: writes(createKey),
  DescribeKey: reads(describeKey),
  ListKeys: reads(listKeys),
  EnableKey: writes(enableKey),
  DisableKey: writes(disableKey),
  UpdateKeyDescription: writes(updateKeyDescription),
  ScheduleKeyDeletion: writes(scheduleKeyDeletion),
  CancelKeyDeletion: writes(cancelKeyDeletion),
  ReplicateKey: writes(replicateKey),
  UpdatePrimaryRegion: writes(updatePrimaryRegion),
};
