/**
 * `--enforce-policies`: every KMS request is authorised before it runs, as KMS authorises it. What each
 * operation needs follows AWS's "Required permissions" of the KMS API reference: the key's policy (and the
 * caller's identity policies where the key policy delegates to the account), grants for the operations grants
 * can allow, identity policies alone for requests without a key (CreateKey, ListKeys, ListAliases) and for
 * alias resources. https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
 */

import { type Evaluation, evaluate, requireEvaluator } from "../../byok/vocabulary/policy-evaluation";
import { aliasArn, type Context, findKey, keyArn, keyOfCiphertext } from "../context";
import { parseSymmetric } from "../crypto";
import type { GrantRecord, KeyRecord } from "../model";
import { GRANT_OPERATIONS as GRANTABLE_OPERATIONS } from "../operations/grants";
import { type Input, KmsError } from "../protocol";

// The sandbox loads this module only to enforce: without the evaluator (an opt-in install), it refuses to
// start rather than answer every request with an internal error.
requireEvaluator();

type ContextValues = Record<string, string | string[]>;

/** One permission a request needs: an action on a key (key policy + identity) or on `*`/an alias (identity). */
interface Need {
  action: string;
  key?: KeyRecord;
  resource?: string;
  context?: ContextValues;
}

const GRANTABLE = new Set<string>(GRANTABLE_OPERATIONS);

/** Operations whose encryption context (field) the `kms:EncryptionContext:*` keys describe. */
const CONTEXT_FIELD: Readonly<Record<string, string>> = {
  Encrypt: "EncryptionContext",
  Decrypt: "EncryptionContext",
  GenerateDataKey: "EncryptionContext",
  GenerateDataKeyWithoutPlaintext: "EncryptionContext",
  GenerateDataKeyPair: "EncryptionContext",
  GenerateDataKeyPairWithoutPlaintext: "EncryptionContext",
};

const GRANT_OPERATIONS = new Set(["CreateGrant", "ListGrants", "RevokeGrant"]);

export function authorizeRequest(
  operation: string,
  input: Input,
  context: Context,
  via: string | undefined,
): void {
  for (const need of needs(operation, input, context)) {
    const values = { ...callerContext(context, via), ...need.context };
    if (GRANT_OPERATIONS.has(operation)) values["kms:GrantIsForAWSResource"] = via ? "true" : "false";
    const key = need.key;
    if (key) Object.assign(values, keyContext(key));
    const resource = key?.arn ?? need.resource ?? "*";
    const evaluation = safely(() =>
      evaluate({
        principal: context.caller.arn,
        action: need.action,
        resource,
        resourceAccount: key?.accountId ?? context.accountId,
        ...(key ? { keyPolicy: key.policy } : {}),
        identityPolicies: context.caller.identityPolicies,
        context: values,
      }),
    );
    if (evaluation.result === "Allowed") continue;
    if (evaluation.result === "ImplicitlyDenied" && key && grantAllows(context, key, need.action, values))
      continue;
    throw accessDenied(context.caller.arn, need.action, resource, evaluation);
  }
  lockoutCheck(operation, input, context, via);
}

/**
 * AWS's policy lockout safety check: a new key policy (CreateKey's or PutKeyPolicy's) must let the caller
 * PutKeyPolicy again, unless the request sets BypassPolicyLockoutSafetyCheck.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-bypass-policy-lockout-safety-check
 */
function lockoutCheck(operation: string, input: Input, context: Context, via: string | undefined): void {
  if (operation !== "CreateKey" && operation !== "PutKeyPolicy") return;
  if (input.BypassPolicyLockoutSafetyCheck === true || typeof input.Policy !== "string") return;
  const policy = input.Policy;
  const target = operation === "PutKeyPolicy" ? resolvable(context, input.KeyId) : undefined;
  const resource =
    target?.arn ?? keyArn(context.region, context.accountId, "00000000-0000-0000-0000-000000000000");
  const evaluation = safely(() =>
    evaluate({
      principal: context.caller.arn,
      action: "kms:PutKeyPolicy",
      resource,
      resourceAccount: target?.accountId ?? context.accountId,
      keyPolicy: policy,
      identityPolicies: context.caller.identityPolicies,
      context: callerContext(context, via),
    }),
  );
  if (evaluation.result !== "Allowed") {
    throw new KmsError(
      "MalformedPolicyDocumentException",
      "The new key policy will not allow you to update the key policy in the future.",
    );
  }
}

/** A policy the evaluator cannot read (stored while policies were not enforced) allows nothing. */
function safely(run: () => Evaluation): Evaluation {
  try {
    return run();
  } catch {
    return { result: "ImplicitlyDenied", deniedBy: { policy: "resource", explicit: false } };
  }
}

/** AWS's wording (IAM's enhanced denial messages, as KMS sends them). */
function accessDenied(arn: string, action: string, resource: string, evaluation: Evaluation): KmsError {
  const side = evaluation.deniedBy?.policy === "identity" ? "identity-based" : "resource-based";
  const why = evaluation.deniedBy?.explicit
    ? `with an explicit deny in a ${side} policy`
    : `because no ${side} policy allows the ${action} action`;
  return new KmsError(
    "AccessDeniedException",
    `User: ${arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`,
  );
}

function callerContext(context: Context, via: string | undefined): ContextValues {
  const values: ContextValues = {
    "aws:PrincipalArn": context.caller.principalArn,
    "aws:PrincipalAccount": context.caller.accountId,
    "kms:CallerAccount": context.caller.accountId,
  };
  if (via) values["kms:ViaService"] = via;
  return values;
}

function keyContext(key: KeyRecord): ContextValues {
  const values: ContextValues = {
    "kms:KeyOrigin": key.origin,
    "kms:KeySpec": key.keySpec,
    "kms:KeyUsage": key.keyUsage,
    "kms:MultiRegion": String(key.multiRegion),
  };
  for (const tag of key.tags) values[`aws:ResourceTag/${tag.TagKey}`] = tag.TagValue;
  return values;
}

function encryptionContext(value: unknown): ContextValues {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  const pairs = Object.entries(value).filter((pair): pair is [string, string] => typeof pair[1] === "string");
  const values: ContextValues = {};
  for (const [name, text] of pairs) values[`kms:EncryptionContext:${name}`] = text;
  if (pairs.length > 0) values["kms:EncryptionContextKeys"] = pairs.map(([name]) => name);
  return values;
}

function resolvable(context: Context, identifier: unknown): KeyRecord | undefined {
  if (typeof identifier !== "string" || identifier.length === 0) return undefined;
  try {
    return findKey(context, identifier, { alias: true });
  } catch {
    return undefined;
  }
}

/** The key a symmetric ciphertext names (Decrypt and ReEncrypt may omit the key id). */
function keyOfCiphertextBlob(context: Context, blob: unknown): KeyRecord | undefined {
  if (typeof blob !== "string") return undefined;
  const parsed = parseSymmetric(Buffer.from(blob, "base64"));
  return parsed ? keyOfCiphertext(context, parsed.keyId) : undefined;
}

function aliasKey(context: Context, name: unknown): KeyRecord | undefined {
  if (typeof name !== "string") return undefined;
  const alias = context.store.aliases.get(aliasArn(context.region, context.accountId, name));
  return alias
    ? context.store.keys.get(keyArn(alias.region, context.accountId, alias.targetKeyId))
    : undefined;
}

/**
 * What a request needs. A key the request names but that does not exist needs nothing here: the operation
 * answers NotFoundException itself.
 */
function needs(operation: string, input: Input, context: Context): Need[] {
  const action = `kms:${operation}`;
  const requestAlias: ContextValues =
    typeof input.KeyId === "string" && input.KeyId.startsWith("alias/")
      ? { "kms:RequestAlias": input.KeyId }
      : {};
  switch (operation) {
    case "CreateKey":
      return [{ action, resource: "*", context: createKeyContext(input) }];
    case "ListKeys":
    case "ListAliases":
    case "GenerateRandom":
    case "ListRetirableGrants":
      return [{ action, resource: "*" }];
    case "Decrypt": {
      const key = resolvable(context, input.KeyId) ?? keyOfCiphertextBlob(context, input.CiphertextBlob);
      return key
        ? [{ action, key, context: { ...encryptionContext(input.EncryptionContext), ...requestAlias } }]
        : [];
    }
    case "ReEncrypt": {
      const source =
        resolvable(context, input.SourceKeyId) ?? keyOfCiphertextBlob(context, input.CiphertextBlob);
      const destination = resolvable(context, input.DestinationKeyId);
      const result: Need[] = [];
      if (source) {
        result.push({
          action: "kms:ReEncryptFrom",
          key: source,
          context: encryptionContext(input.SourceEncryptionContext),
        });
      }
      if (destination) {
        result.push({
          action: "kms:ReEncryptTo",
          key: destination,
          context: encryptionContext(input.DestinationEncryptionContext),
        });
      }
      return result;
    }
    case "CreateAlias":
    case "UpdateAlias":
    case "DeleteAlias": {
      const alias =
        typeof input.AliasName === "string"
          ? aliasArn(context.region, context.accountId, input.AliasName)
          : "*";
      const keys = [aliasKey(context, input.AliasName), resolvable(context, input.TargetKeyId)];
      const result: Need[] = [{ action, resource: alias }];
      for (const key of keys)
        if (key && !result.some((need) => need.key === key)) result.push({ action, key });
      return result;
    }
    case "RetireGrant": {
      // Retiring by grant token is the retiring principal's or grantee's right, not the key policy's.
      const key = resolvable(context, input.KeyId);
      return key ? [{ action, key }] : [];
    }
    default: {
      const key = resolvable(context, input.KeyId);
      if (!key) return [];
      return [{ action, key, context: { ...operationContext(operation, input), ...requestAlias } }];
    }
  }
}

function createKeyContext(input: Input): ContextValues {
  const values: ContextValues = {
    "kms:KeySpec": String(input.KeySpec ?? input.CustomerMasterKeySpec ?? "SYMMETRIC_DEFAULT"),
    "kms:KeyUsage": String(input.KeyUsage ?? "ENCRYPT_DECRYPT"),
    "kms:KeyOrigin": String(input.Origin ?? "AWS_KMS"),
    "kms:MultiRegion": String(input.MultiRegion === true),
    "kms:BypassPolicyLockoutSafetyCheck": String(input.BypassPolicyLockoutSafetyCheck === true),
  };
  if (Array.isArray(input.Tags)) {
    for (const tag of input.Tags as { TagKey?: unknown; TagValue?: unknown }[]) {
      if (typeof tag.TagKey === "string") values[`aws:RequestTag/${tag.TagKey}`] = String(tag.TagValue ?? "");
    }
  }
  return values;
}

function operationContext(operation: string, input: Input): ContextValues {
  const field = CONTEXT_FIELD[operation];
  if (field) return encryptionContext(input[field]);
  if (operation === "CreateGrant") {
    const values: ContextValues = {};
    if (Array.isArray(input.Operations)) values["kms:GrantOperations"] = input.Operations.map(String);
    if (typeof input.GranteePrincipal === "string") values["kms:GranteePrincipal"] = input.GranteePrincipal;
    if (typeof input.RetiringPrincipal === "string")
      values["kms:RetiringPrincipal"] = input.RetiringPrincipal;
    return values;
  }
  if (operation === "GetParametersForImport") {
    return {
      "kms:WrappingAlgorithm": String(input.WrappingAlgorithm ?? ""),
      "kms:WrappingKeySpec": String(input.WrappingKeySpec ?? ""),
    };
  }
  if (operation === "ImportKeyMaterial") {
    return { "kms:ExpirationModel": String(input.ExpirationModel ?? "KEY_MATERIAL_EXPIRES") };
  }
  if (operation === "PutKeyPolicy") {
    return { "kms:BypassPolicyLockoutSafetyCheck": String(input.BypassPolicyLockoutSafetyCheck === true) };
  }
  return {};
}

/**
 * Grants allow (never deny) their operations to their grantee: the role ARN, or the session's own ARN;
 * constraints hold when the request's encryption context equals (or includes) the grant's.
 */
function grantAllows(context: Context, key: KeyRecord, action: string, values: ContextValues): boolean {
  const operation = action.slice("kms:".length);
  if (!GRANTABLE.has(operation)) return false;
  const grantees = [context.caller.principalArn, context.caller.arn];
  for (const grant of context.store.grants.values()) {
    if (grant.keyArn !== key.arn || !grantees.includes(grant.granteePrincipal)) continue;
    if (!grant.operations.includes(operation)) continue;
    if (constraintsHold(grant, values)) return true;
  }
  return false;
}

function constraintsHold(grant: GrantRecord, values: ContextValues): boolean {
  const requested = new Map<string, string>();
  for (const [name, value] of Object.entries(values)) {
    if (name.startsWith("kms:EncryptionContext:") && typeof value === "string") {
      requested.set(name.slice("kms:EncryptionContext:".length), value);
    }
  }
  const equals = grant.constraints?.EncryptionContextEquals;
  if (equals) {
    const pairs = Object.entries(equals);
    if (pairs.length !== requested.size || pairs.some(([name, value]) => requested.get(name) !== value))
      return false;
  }
  const subset = grant.constraints?.EncryptionContextSubset;
  if (subset && Object.entries(subset).some(([name, value]) => requested.get(name) !== value)) return false;
  return true;
}
