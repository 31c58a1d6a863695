import { assertNotPendingDeletion, type Context, findKey } from "../context";
import type { KeyRecord } from "../model";
import { type OperationTable, reads, writes } from "../operation";
import { paginate } from "../pagination";
import { errors, type Input, KmsError } from "../protocol";
import {
  optionalBoolean,
  optionalString,
  optionalStringList,
  optionalTags,
  requiredString,
  validationFailure,
} from "../validate";

/** KMS keys have exactly one policy, named "default". */
const POLICY_NAME = "default";

/**
 * A policy that is not a JSON object is refused with no message at all, as KMS does
 * (https://github.com/aws/aws-sdk-ruby/issues/1784: "an empty string is returned as the error message").
 * Since August 2025 KMS also refuses statements without an Action or NotAction, or without a Resource (AWS's
 * notice to affected accounts); the wording of that refusal is not public, so the sandbox says it its own way.
 */
export function checkPolicy(policy: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    throw new KmsError("MalformedPolicyDocumentException", "");
  }
  if (!isObject(parsed)) throw new KmsError("MalformedPolicyDocumentException", "");
  const given = parsed.Statement;
  const statements: unknown[] = given === undefined ? [] : Array.isArray(given) ? given : [given];
  statements.forEach((statement, index) => {
    const where = `Statement ${index + 1}`;
    if (!isObject(statement)) {
      throw new KmsError("MalformedPolicyDocumentException", `${where} is not a JSON object.`);
    }
    if (statement.Action === undefined && statement.NotAction === undefined) {
      throw new KmsError("MalformedPolicyDocumentException", `${where} has no Action or NotAction element.`);
    }
    if (statement.Resource === undefined) {
      throw new KmsError("MalformedPolicyDocumentException", `${where} has no Resource element.`);
    }
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function policyKey(context: Context, input: Input): KeyRecord {
  const key = findKey(context, requiredString(input, "KeyId", { max: 2048 }), { alias: false });
  const name = optionalString(input, "PolicyName", { min: 1, max: 128 }) ?? POLICY_NAME;
  if (name !== POLICY_NAME) throw errors.notFound(`No such policy exists: ${name}`);
  return key;
}

function getKeyPolicy(context: Context, input: Input) {
  const key = policyKey(context, input);
  return { Policy: key.policy, PolicyName: POLICY_NAME };
}

function putKeyPolicy(context: Context, input: Input) {
  const policy = requiredString(input, "Policy", { max: 32768 });
  optionalBoolean(input, "BypassPolicyLockoutSafetyCheck");
  const key = policyKey(context, input);
  checkPolicy(policy);
  assertNotPendingDeletion(key);
  key.policy = policy;
  return {};
}

function listKeyPolicies(context: Context, input: Input) {
  findKey(context, requiredString(input, "KeyId", { max: 2048 }), { alias: false });
  return { PolicyNames: [POLICY_NAME], Truncated: false };
}

function tagResource(context: Context, input: Input) {
  const tags = optionalTags(input, "Tags");
  if (tags === undefined) throw validationFailure("Tags", undefined, "Member must not be null");
  const key = findKey(context, requiredString(input, "KeyId", { max: 2048 }), { alias: false });
  assertNotPendingDeletion(key);
  const merged = new Map(key.tags.map((tag) => [tag.TagKey, tag.TagValue]));
  for (const tag of tags) merged.set(tag.TagKey, tag.TagValue);
  if (merged.size > 50) throw new KmsError("TagException", "A KMS key can have at most 50 tags");
  key.tags = [...merged].map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
  return {};
}

function untagResource(context: Context, input: Input) {
  const tagKeys = optionalStringList(input, "TagKeys");
  if (tagKeys === undefined) throw validationFailure("TagKeys", undefined, "Member must not be null");
  const key = findKey(context, requiredString(input, "KeyId", { max: 2048 }), { alias: false });
  assertNotPendingDeletion(key);
  key.tags = key.tags.filter((tag) => !tagKeys.includes(tag.TagKey));
  return {};
}

function listResourceTags(context: Context, input: Input) {
  const key = findKey(context, requiredString(input, "KeyId", { max: 2048 }), { alias: false });
  const { page, meta } = paginate(key.tags, input, { default: 50, max: 50 });
  return { Tags: page, ...meta };
}

export const policyTagOperations: OperationTable = {
  GetKeyPolicy: reads(getKeyPolicy),
  PutKeyPolicy: writes(putKeyPolicy),
  ListKeyPolicies: reads(listKeyPolicies),
  TagResource: writes(tagResource),
  UntagResource: writes(untagResource),
  ListResourceTags: reads(listResourceTags),
};
