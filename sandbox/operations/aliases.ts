import { aliasArn, type Context, findKey, invalidState, keyArn } from "../context";
import { familyOf } from "../key-specs";
import type { AliasRecord, KeyRecord } from "../model";
import { type OperationTable, reads, writes } from "../operation";
import { paginate } from "../pagination";
import { epochSeconds, errors, type Input, KmsError } from "../protocol";
import { optionalString, requiredString, validationFailure } from "../validate";

function aliasName(input: Input): string {
  const name = requiredString(input, "AliasName", { max: 256 });
  if (!/^[a-zA-Z0-9:/_-]+$/.test(name)) {
    throw validationFailure(
      "AliasName",
      name,
      "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
    );
  }
  if (!name.startsWith("alias/")) {
    throw errors.validation(
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  }
  if (name.length === "alias/".length) {
    throw new KmsError(
      "InvalidAliasNameException",
      `Alias name ${name} is not valid: it has nothing after "alias/".`,
    );
  }
  return name;
}

function writableAliasName(input: Input): string {
  const name = aliasName(input);
  if (name.startsWith("alias/aws/")) {
    throw new KmsError(
      "NotAuthorizedException",
      `Alias names beginning with alias/aws/ are reserved for AWS managed keys: ${name}`,
    );
  }
  return name;
}

function targetKey(context: Context, input: Input): KeyRecord {
  const key = findKey(context, requiredString(input, "TargetKeyId", { max: 2048 }), { alias: false });
  if (key.state === "PendingDeletion") throw invalidState(key);
  return key;
}

function createAlias(context: Context, input: Input) {
  const name = writableAliasName(input);
  const key = targetKey(context, input);
  const arn = aliasArn(context.region, context.accountId, name);
  if (context.store.aliases.has(arn))
    throw errors.alreadyExists(`An alias with the name ${arn} already exists`);
  const alias: AliasRecord = {
    name,
    arn,
    region: context.region,
    targetKeyId: key.keyId,
    createdAt: context.now,
    updatedAt: context.now,
  };
  context.store.aliases.set(arn, alias);
  return {};
}

function existingAlias(context: Context, name: string): AliasRecord {
  const arn = aliasArn(context.region, context.accountId, name);
  const alias = context.store.aliases.get(arn);
  if (!alias) throw errors.notFound(`Alias ${arn} is not found.`);
  return alias;
}

function updateAlias(context: Context, input: Input) {
  const alias = existingAlias(context, writableAliasName(input));
  const key = targetKey(context, input);
  const current = context.store.keys.get(keyArn(alias.region, context.accountId, alias.targetKeyId));
  // KMS only moves an alias between keys of the same type and usage.
  if (current && (current.keyUsage !== key.keyUsage || familyOf(current.keySpec) !== familyOf(key.keySpec))) {
    throw errors.validation(
      `${alias.name} points to a key of spec ${current.keySpec} and usage ${current.keyUsage}; the new key must be of the same type and usage`,
    );
  }
  alias.targetKeyId = key.keyId;
  alias.updatedAt = context.now;
  return {};
}

function deleteAlias(context: Context, input: Input) {
  const alias = existingAlias(context, writableAliasName(input));
  context.store.aliases.delete(alias.arn);
  return {};
}

function listAliases(context: Context, input: Input) {
  const keyId = optionalString(input, "KeyId", { min: 1, max: 2048 });
  const target = keyId === undefined ? undefined : findKey(context, keyId, { alias: false });
  const aliases = [...context.store.aliases.values()].filter(
    (alias) =>
      alias.region === context.region &&
      alias.arn.split(":")[4] === context.accountId &&
      (!target || alias.targetKeyId === target.keyId),
  );
  const { page, meta } = paginate(aliases, input, { default: 50, max: 100 });
  return {
    Aliases: page.map((alias) => ({
      AliasName: alias.name,
      AliasArn: alias.arn,
      TargetKeyId: alias.targetKeyId,
      CreationDate: epochSeconds(alias.createdAt),
      LastUpdatedDate: epochSeconds(alias.updatedAt),
    })),
    ...meta,
  };
}

export const aliasOperations: OperationTable = {
  CreateAlias: writes(createAlias),
  UpdateAlias: writes(updateAlias),
  DeleteAlias: writes(deleteAlias),
  ListAliases: reads(listAliases),
};
