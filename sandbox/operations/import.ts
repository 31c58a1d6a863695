import { randomBytes } from "node:crypto";
import { WRAPPING_ALGORITHMS, WRAPPING_KEY_BITS, WRAPPING_KEY_SPECS } from "../../byok/vocabulary/wrapping";
import { assertCreated, type Context, findKey, invalidState } from "../context";
import { checkMaterial, importedMaterialId, unwrapMaterial } from "../crypto";
import { currentMaterial, isPending, isSymmetricEncryption } from "../key-metadata";
import type { ExpirationModel, ImportParameters, KeyRecord, MaterialRecord } from "../model";
import { type OperationTable, writes } from "../operation";
import { blob, epochSeconds, errors, type Input, KmsError } from "../protocol";
import {
  optionalEnum,
  optionalString,
  optionalTimestamp,
  requiredBlob,
  requiredEnum,
  requiredString,
  validationFailure,
} from "../validate";
import { awsAllowsWrapping } from "../wrapping-table";

const DAY = 86_400_000;
/** Import parameters are valid for 24 hours. */
const PARAMETERS_VALIDITY_MS = DAY;
/** ValidTo may be at most 365 days after the import. */
const MAX_VALIDITY_MS = 365 * DAY;
const TOKEN_MAGIC = "keyplane-sandbox-import-token:";

function externalKey(context: Context, input: Input): KeyRecord {
  const key = findKey(context, requiredString(input, "KeyId", { max: 2048 }), { alias: false });
  if (key.origin !== "EXTERNAL") {
    throw errors.unsupported(`${key.arn} origin is ${key.origin} which is not valid for this operation.`);
  }
  if (key.state === "PendingDeletion") throw invalidState(key);
  assertCreated(key);
  return key;
}

async function getParametersForImport(context: Context, input: Input) {
  const algorithm = requiredEnum(input, "WrappingAlgorithm", [
    ...WRAPPING_ALGORITHMS,
    "RSAES_PKCS1_V1_5",
  ] as const);
  const wrappingKeySpec = requiredEnum(input, "WrappingKeySpec", WRAPPING_KEY_SPECS);
  const key = externalKey(context, input);
  if (algorithm === "RSAES_PKCS1_V1_5") {
    throw errors.validation(
      "The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported for importing key material.",
    );
  }
  if (!awsAllowsWrapping(key.keySpec, algorithm, wrappingKeySpec)) {
    throw errors.validation(
      `WrappingAlgorithm ${algorithm} with WrappingKeySpec ${wrappingKeySpec} cannot carry key material of key spec ${key.keySpec}.`,
    );
  }
  const pair = await context.wrappingKeys.take(WRAPPING_KEY_BITS[wrappingKeySpec]);
  const tokenId = randomBytes(32).toString("hex");
  const parameters: ImportParameters = {
    tokenId,
    keyArn: key.arn,
    algorithm,
    wrappingKeySpec,
    privateKey: pair.privateKey.toString("base64"),
    validTo: context.now + PARAMETERS_VALIDITY_MS,
  };
  pair.privateKey.fill(0);
  context.store.importParameters.set(tokenId, parameters);
  return {
    KeyId: key.arn,
    ImportToken: blob(Buffer.from(TOKEN_MAGIC + tokenId, "utf8")),
    PublicKey: blob(pair.publicKey),
    ParametersValidTo: epochSeconds(parameters.validTo),
  };
}

/** The token is bound to one key, one wrapping key and one algorithm, for 24 hours. */
function tokenParameters(context: Context, key: KeyRecord, token: Buffer): ImportParameters {
  const text = token.toString("utf8");
  const parameters = text.startsWith(TOKEN_MAGIC)
    ? context.store.importParameters.get(text.slice(TOKEN_MAGIC.length))
    : undefined;
  if (!parameters) throw new KmsError("InvalidImportTokenException", "The import token is not valid.");
  if (parameters.keyArn !== key.arn) {
    throw new KmsError("InvalidImportTokenException", `The import token was not issued for ${key.arn}.`);
  }
  if (context.now > parameters.validTo) {
    throw new KmsError(
      "ExpiredImportTokenException",
      "The import token has expired. Use GetParametersForImport to get a new import token and public key.",
    );
  }
  return parameters;
}

interface Expiry {
  expirationModel: ExpirationModel;
  validTo?: number;
}

function requestedExpiry(context: Context, input: Input): Expiry {
  const expirationModel =
    optionalEnum(input, "ExpirationModel", [
      "KEY_MATERIAL_EXPIRES",
      "KEY_MATERIAL_DOES_NOT_EXPIRE",
    ] as const) ?? "KEY_MATERIAL_EXPIRES";
  const validTo = optionalTimestamp(input, "ValidTo");
  if (expirationModel === "KEY_MATERIAL_DOES_NOT_EXPIRE") {
    if (validTo !== undefined) {
      throw errors.validation(
        "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.",
      );
    }
    return { expirationModel };
  }
  if (validTo === undefined) {
    throw errors.validation("ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.");
  }
  if (validTo <= context.now) throw errors.validation("ValidTo must be a time in the future.");
  if (validTo > context.now + MAX_VALIDITY_MS) {
    throw errors.validation("ValidTo must be at most 365 days from now.");
  }
  return { expirationModel, validTo };
}

function incorrectMaterial(message: string): KmsError {
  return new KmsError("IncorrectKeyMaterialException", message);
}

function importKeyMaterial(context: Context, input: Input) {
  const token = requiredBlob(input, "ImportToken", { max: 6144 });
  const wrapped = requiredBlob(input, "EncryptedKeyMaterial", { max: 6144 });
  const importType = optionalEnum(input, "ImportType", [
    "NEW_KEY_MATERIAL",
    "EXISTING_KEY_MATERIAL",
  ] as const);
  const description = optionalString(input, "KeyMaterialDescription", { max: 256 });
  const requestedId = optionalString(input, "KeyMaterialId", { min: 64, max: 64 });
  const key = externalKey(context, input);
  const expiry = requestedExpiry(context, input);
  const symmetric = isSymmetricEncryption(key);
  if (!symmetric && (importType || description !== undefined || requestedId !== undefined)) {
    throw errors.validation(
      "ImportType, KeyMaterialDescription and KeyMaterialId are only valid for symmetric encryption keys.",
    );
  }
  const type = importType ?? (key.materials.length === 0 ? "NEW_KEY_MATERIAL" : "EXISTING_KEY_MATERIAL");
  if (type === "NEW_KEY_MATERIAL" && requestedId !== undefined) {
    throw validationFailure(
      "KeyMaterialId",
      requestedId,
      "KeyMaterialId cannot be specified with NEW_KEY_MATERIAL",
    );
  }
  const parameters = tokenParameters(context, key, token);
  const material = unwrapMaterial(
    parameters.algorithm,
    Buffer.from(parameters.privateKey, "base64"),
    wrapped,
  );
  try {
    const publicKey = checkMaterial(key.keySpec, material);
    const materialId = importedMaterialId(key.keyId, material);
    const target =
      type === "EXISTING_KEY_MATERIAL"
        ? existingTarget(key, materialId, requestedId)
        : newTarget(context, key, materialId);
    target.bytes = material.toString("base64");
    target.importState = "IMPORTED";
    target.expirationModel = expiry.expirationModel;
    if (expiry.validTo === undefined) delete target.validTo;
    else target.validTo = expiry.validTo;
    if (description !== undefined) target.description = description;
    if (publicKey) key.publicKey = publicKey.toString("base64");
    if (key.state === "PendingImport" && allMaterialPresent(key)) key.state = "Enabled";
    if (target.state === "PENDING_MULTI_REGION_IMPORT_AND_ROTATION")
      readyWhenEveryReplicaHasIt(context, key, target.id);
    return { KeyId: key.arn, KeyMaterialId: materialId };
  } finally {
    material.fill(0);
  }
}

/** Re-import: the bytes must be material this key had (KMS recognises it by its derived id). */
function existingTarget(key: KeyRecord, materialId: string, requestedId: string | undefined): MaterialRecord {
  if (key.materials.length === 0) {
    throw errors.validation(`${key.arn} has no key material to re-import; use ImportType NEW_KEY_MATERIAL.`);
  }
  if (requestedId !== undefined && requestedId !== materialId) {
    throw incorrectMaterial(`The key material does not match key material ${requestedId} of ${key.arn}.`);
  }
  const target = requestedId
    ? key.materials.find((material) => material.id === requestedId)
    : (key.materials.find((material) => material.id === materialId) ?? currentMaterial(key));
  if (!target) throw errors.notFound(`Key material ${requestedId} is not associated with ${key.arn}.`);
  if (target.id !== materialId) {
    throw incorrectMaterial(
      `The key material being imported is different from the key material previously imported into ${key.arn}.`,
    );
  }
  return target;
}

/** Every key of a multi-Region key: the primary and its replicas. */
function relatedKeys(context: Context, key: KeyRecord): KeyRecord[] {
  if (!key.multiRegion) return [key];
  return [...context.store.keys.values()].filter((other) => other.keyId === key.keyId);
}

/**
 * First import, or (symmetric keys) new material that waits for RotateKeyOnDemand. A multi-Region primary's new
 * material waits as PENDING_MULTI_REGION_IMPORT_AND_ROTATION until each replica has it; replicas never take
 * new material directly.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html
 */
function newTarget(context: Context, key: KeyRecord, materialId: string): MaterialRecord {
  if (key.materials.some((material) => material.id === materialId)) {
    throw incorrectMaterial(
      `This key material is already associated with ${key.arn}; import it as EXISTING_KEY_MATERIAL.`,
    );
  }
  if (key.materials.length > 0 && !isSymmetricEncryption(key)) {
    throw errors.unsupported(
      `${key.arn} already has key material; only symmetric encryption keys take new material.`,
    );
  }
  if (key.multiRegionRole === "REPLICA") {
    throw errors.unsupported(
      `${key.arn} is a replica key; import new key material into its primary key, then import the same material into the replica as EXISTING_KEY_MATERIAL.`,
    );
  }
  if (key.materials.some(isPending)) {
    throw errors.invalidState(`${key.arn} already has key material pending rotation; rotate the key first.`);
  }
  const replicas = relatedKeys(context, key).filter((other) => other !== key);
  const state =
    key.materials.length === 0
      ? "CURRENT"
      : replicas.length > 0
        ? "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
        : "PENDING_ROTATION";
  const material: MaterialRecord = { id: materialId, state, createdAt: context.now };
  key.materials.push(material);
  if (state === "PENDING_MULTI_REGION_IMPORT_AND_ROTATION") {
    for (const replica of replicas) {
      replica.materials.push({
        id: materialId,
        state,
        createdAt: context.now,
        importState: "PENDING_IMPORT",
      });
    }
  }
  return material;
}

/** Once every related key holds the new material, it is PENDING_ROTATION everywhere. */
function readyWhenEveryReplicaHasIt(context: Context, key: KeyRecord, materialId: string): void {
  const copies = relatedKeys(context, key).map((related) =>
    related.materials.find((material) => material.id === materialId),
  );
  if (copies.every((copy) => copy?.bytes !== undefined)) {
    for (const copy of copies) if (copy) copy.state = "PENDING_ROTATION";
  }
}

function deleteImportedKeyMaterial(context: Context, input: Input) {
  const key = externalKey(context, input);
  const requestedId = optionalString(input, "KeyMaterialId", { min: 64, max: 64 });
  const target = requestedId
    ? key.materials.find((material) => material.id === requestedId)
    : currentMaterial(key);
  if (requestedId !== undefined && !target) {
    throw errors.notFound(`Key material ${requestedId} is not associated with ${key.arn}.`);
  }
  // Nothing imported (never, or deleted already) is a state problem, as in KMS: the key is pending import.
  if (!target?.bytes) throw invalidState(key);
  forgetMaterial(key, target);
  return { KeyId: key.arn, KeyMaterialId: target.id };
}

/**
 * Imported material deleted (by request or expiry). Material pending rotation is not permanently associated
 * with the key: it goes, and the key stays as it is. Any other material leaves the key waiting for that same
 * material again: PendingImport, whether the material was current or not.
 * https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-delete-key-material.html
 */
export function forgetMaterial(key: KeyRecord, material: MaterialRecord): void {
  if (isPending(material)) {
    key.materials = key.materials.filter((other) => other !== material);
    return;
  }
  delete material.bytes;
  delete material.expirationModel;
  delete material.validTo;
  material.importState = "PENDING_IMPORT";
  if (key.state !== "PendingDeletion") key.state = "PendingImport";
}

/** A key leaves PendingImport once every material permanently associated with it is present again. */
export function allMaterialPresent(key: KeyRecord): boolean {
  const permanent = key.materials.filter((material) => !isPending(material));
  return permanent.length > 0 && permanent.every((material) => material.bytes !== undefined);
}

export const importOperations: OperationTable = {
  GetParametersForImport: writes(getParametersForImport),
  ImportKeyMaterial: writes(importKeyMaterial),
  DeleteImportedKeyMaterial: writes(deleteImportedKeyMaterial),
};
