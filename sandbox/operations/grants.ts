import { randomBytes } from "node:crypto";
import { type Context, findKey, invalidState } from "../context";
import { assertNotDryRun } from "../dry-run";
import type { GrantRecord } from "../model";
import { type OperationTable, reads, writes } from "../operation";
import { paginate } from "../pagination";
import { epochSeconds, errors, type Input, KmsError } from "../protocol";
import { optionalString, optionalStringList, requiredString, validationFailure } from "../validate";

/** CreateGrant's `Operations` enum: what a grant can allow (ReEncrypt is ReEncryptFrom/ReEncryptTo). */
export const GRANT_OPERATIONS = [
  "Decrypt",
  "Encrypt",
  "GenerateDataKey",
  "GenerateDataKeyWithoutPlaintext",
  "ReEncryptFrom",
  "ReEncryptTo",
  "Sign",
  "Verify",
  "GetPublicKey",
  "CreateGrant",
  "RetireGrant",
  "DescribeKey",
  "GenerateDataKeyPair",
  "GenerateDataKeyPairWithoutPlaintext",
  "GenerateMac",
  "VerifyMac",
  "DeriveSharedSecret",
];

function createGrant(context: Context, input: Input) {
  const keyId = requiredString(input, "KeyId", { max: 2048 });
  const granteePrincipal = requiredString(input, "GranteePrincipal", { max: 256 });
  const retiringPrincipal = optionalString(input, "RetiringPrincipal", { min: 1, max: 256 });
  const operations = optionalStringList(input, "Operations");
  if (operations === undefined || operations.length === 0) {
    throw validationFailure("Operations", undefined, "Member must not be null");
  }
  const unknown = operations.find((operation) => !GRANT_OPERATIONS.includes(operation));
  if (unknown) {
    throw validationFailure(
      "Operations",
      `[${operations.join(", ")}]`,
      `Member must satisfy enum value set: [${GRANT_OPERATIONS.join(", ")}]`,
    );
  }
  const name = optionalString(input, "Name", { min: 1, max: 256 });
  const constraints = input.Constraints as GrantRecord["constraints"] | undefined;
  optionalStringList(input, "GrantTokens");
  const key = findKey(context, keyId, { alias: false });
  if (key.state === "PendingDeletion") throw invalidState(key);
  assertNotDryRun(input);
  // A grant with the same name and parameters is the same grant (CreateGrant is idempotent by Name).
  if (name !== undefined) {
    const same = [...context.store.grants.values()].find(
      (grant) =>
        grant.keyArn === key.arn &&
        grant.name === name &&
        grant.granteePrincipal === granteePrincipal &&
        grant.operations.join() === operations.join(),
    );
    if (same) return { GrantToken: same.grantToken, GrantId: same.grantId };
  }
  const grant: GrantRecord = {
    grantId: randomBytes(32).toString("hex"),
    grantToken: randomBytes(96).toString("base64url"),
    keyArn: key.arn,
    granteePrincipal,
    operations,
    createdAt: context.now,
  };
  if (name !== undefined) grant.name = name;
  if (retiringPrincipal !== undefined) grant.retiringPrincipal = retiringPrincipal;
  if (constraints !== undefined) grant.constraints = constraints;
  context.store.grants.set(grant.grantId, grant);
  return { GrantToken: grant.grantToken, GrantId: grant.grantId };
}

function grantEntry(context: Context, grant: GrantRecord): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    KeyId: grant.keyArn,
    GrantId: grant.grantId,
    CreationDate: epochSeconds(grant.createdAt),
    GranteePrincipal: grant.granteePrincipal,
    IssuingAccount: `arn:aws:iam::${context.accountId}:root`,
    Operations: grant.operations,
  };
  if (grant.name !== undefined) entry.Name = grant.name;
  if (grant.retiringPrincipal !== undefined) entry.RetiringPrincipal = grant.retiringPrincipal;
  if (grant.constraints !== undefined) entry.Constraints = grant.constraints;
  return entry;
}

/** Grants of the caller's account and Region that name this retiring principal, whatever their key. */
function listRetirableGrants(context: Context, input: Input) {
  const principal = requiredString(input, "RetiringPrincipal", { max: 256 });
  const grants = [...context.store.grants.values()].filter(
    (grant) =>
      grant.retiringPrincipal === principal &&
      context.store.keys.get(grant.keyArn)?.region === context.region,
  );
  const { page, meta } = paginate(grants, input, { default: 50, max: 100 });
  return { Grants: page.map((grant) => grantEntry(context, grant)), ...meta };
}

function listGrants(context: Context, input: Input) {
  const key = findKey(context, requiredString(input, "KeyId", { max: 2048 }), { alias: false });
  const grantId = optionalString(input, "GrantId", { min: 1, max: 128 });
  const grantee = optionalString(input, "GranteePrincipal", { min: 1, max: 256 });
  const grants = [...context.store.grants.values()].filter(
    (grant) =>
      grant.keyArn === key.arn &&
      (grantId === undefined || grant.grantId === grantId) &&
      (grantee === undefined || grant.granteePrincipal === grantee),
  );
  const { page, meta } = paginate(grants, input, { default: 50, max: 100 });
  return { Grants: page.map((grant) => grantEntry(context, grant)), ...meta };
}

function grantOfKey(context: Context, keyId: string, grantId: string): GrantRecord {
  const key = findKey(context, keyId, { alias: false });
  if (!/^[a-f0-9]{64}$/.test(grantId))
    throw new KmsError("InvalidGrantIdException", `Invalid grant ID ${grantId}`);
  const grant = context.store.grants.get(grantId);
  if (!grant || grant.keyArn !== key.arn) throw errors.notFound(`Grant ID ${grantId} not found`);
  return grant;
}

function retireGrant(context: Context, input: Input) {
  const token = optionalString(input, "GrantToken", { min: 1, max: 8192 });
  const keyId = optionalString(input, "KeyId", { min: 1, max: 2048 });
  const grantId = optionalString(input, "GrantId", { min: 1, max: 128 });
  let grant: GrantRecord | undefined;
  if (token !== undefined) {
    grant = [...context.store.grants.values()].find((candidate) => candidate.grantToken === token);
    if (!grant) throw new KmsError("InvalidGrantTokenException", "The grant token is not valid.");
  } else if (keyId !== undefined && grantId !== undefined) {
    grant = grantOfKey(context, keyId, grantId);
  } else {
    throw errors.validation("Specify a GrantToken, or both KeyId and GrantId.");
  }
  assertNotDryRun(input);
  context.store.grants.delete(grant.grantId);
  return {};
}

function revokeGrant(context: Context, input: Input) {
  const grant = grantOfKey(
    context,
    requiredString(input, "KeyId", { max: 2048 }),
    requiredString(input, "GrantId", { max: 128 }),
  );
  assertNotDryRun(input);
  context.store.grants.delete(grant.grantId);
  return {};
}

export const grantOperations: OperationTable = {
  CreateGrant: writes(createGrant),
  ListGrants: reads(listGrants),
  ListRetirableGrants: reads(listRetirableGrants),
  RetireGrant: writes(retireGrant),
  RevokeGrant: writes(revokeGrant),
};
