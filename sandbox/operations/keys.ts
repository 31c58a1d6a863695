import { randomBytes, randomUUID } from "node:crypto";
import { KEY_SPEC_INFO, KEY_SPECS, KEY_USAGES, type KeySpec } from "../../byok/vocabulary/key-specs";
import { assertNotPendingDeletion, type Context, findKey, invalidState, keyArn } from "../context";
import { generateMaterial, randomMaterialId } from "../crypto";
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
} from "../validate";
import { defaultPolicy, describe } from "./describe";
import { allMaterialPresent } from "./import";
import { checkPolicy } from "./policy-tags";

const ORIGINS = ["AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"] as const;
const DAY = 86_400_000;

/** The KeySpec of a CreateKey request (or its deprecated twin CustomerMasterKeySpec). */
function requestedSpec(input: Input): KeySpec {
  const spec = optionalEnum(input, "KeySpec", KEY_SPECS);
  const legacy = optionalEnum(input, "CustomerMasterKeySpec", KEY_SPECS);
  if (spec && legacy) {
    throw errors.validation(
      "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.",
    );
  }
  return spec ?? legacy ?? "SYMMETRIC_DEFAULT";
}

async function createKey(context: Context, input: Input) {
  const policy = optionalString(input, "Policy", { min: 1, max: 32768 });
  if (policy !== undefined) checkPolicy(policy);
  const description = optionalString(input, "Description", { max: 8192 }) ?? "";
  const keySpec = requestedSpec(input);
  const usages = KEY_SPEC_INFO[keySpec].usages;
  const keyUsage = optionalEnum(input, "KeyUsage", KEY_USAGES) ?? usages[0] ?? "ENCRYPT_DECRYPT";
  if (!usages.includes(keyUsage)) {
    throw errors.validation(`KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
  }
  const origin = optionalEnum(input, "Origin", ORIGINS) ?? "AWS_KMS";
  if (origin === "AWS_CLOUDHSM" || origin === "EXTERNAL_KEY_STORE") {
    throw errors.unsupported(
      `Origin ${origin} needs a custom key store, which the keyplane sandbox does not have`,
    );
  }
  optionalBoolean(input, "BypassPolicyLockoutSafetyCheck");
  const tags = optionalTags(input, "Tags") ?? [];
  const multiRegion = optionalBoolean(input, "MultiRegion") ?? false;
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
  key.state = "Enabled";
  return {};
}

function disableKey(context: Context, input: Input) {
  const key = managedKey(context, input);
  if (key.state === "PendingDeletion" || key.state === "PendingImport") throw invalidState(key);
  key.state = "Disabled";
  return {};
}

function updateKeyDescription(context: Context, input: Input) {
  const key = managedKey(context, input);
  const description = optionalString(input, "Description", { max: 8192 });
  if (description === undefined) {
    throw new KmsError(
      "ValidationException",
      "1 validation error detected: Value null at 'description' failed to satisfy constraint: Member must not be null",
    );
  }
  assertNotPendingDeletion(key);
  key.description = description;
  return {};
}

function scheduleKeyDeletion(context: Context, input: Input) {
  const key = managedKey(context, input);
  const days = optionalInteger(input, "PendingWindowInDays", { min: 7, max: 30 }) ?? 30;
  assertNotPendingDeletion(key);
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

async function replicateKey(context: Context, input: Input) {
  const primary = managedKey(context, input);
  const replicaRegion = requiredString(input, "ReplicaRegion", { max: 32 });
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(replicaRegion)) {
    throw errors.validation(`${replicaRegion} is not a valid AWS Region`);
  }
  const policy = optionalString(input, "Policy", { min: 1, max: 32768 });
  if (policy !== undefined) checkPolicy(policy);
  const description = optionalString(input, "Description", { max: 8192 });
  const tags = optionalTags(input, "Tags") ?? [];
  optionalBoolean(input, "BypassPolicyLockoutSafetyCheck");
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
  const hasMaterial =
    shared && primary.materials.some((material) => material.state === "CURRENT" && material.bytes);
  const replica: KeyRecord = {
    ...structuredClone(primary),
    arn,
    region: replicaRegion,
    createdAt: context.now,
    description: description ?? primary.description,
    multiRegionRole: "REPLICA",
    policy: policy ?? defaultPolicy(primary.accountId),
    tags,
    state: hasMaterial ? (primary.state === "Disabled" ? "Disabled" : "Enabled") : "PendingImport",
  };
  if (!shared) {
    replica.materials = replica.materials.map(({ id, state, createdAt, description }) => ({
      id,
      state,
      createdAt,
      importState: "PENDING_IMPORT",
      ...(description === undefined ? {} : { description }),
    }));
    delete replica.publicKey;
  }
  context.store.keys.set(arn, replica);
  return {
    ReplicaKeyMetadata: describe({ ...context, region: replicaRegion }, replica),
    ReplicaPolicy: replica.policy,
    ReplicaTags: replica.tags,
  };
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
};
