/**
 * Reads what the audit rules look at for one key, beyond ListKeys/DescribeKey/tags/aliases (list-keys.ts):
 * its key policy, grants, rotation status, imported materials and last use.
 */
import {
  GetKeyLastUsageCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  type GrantListEntry,
  type KMSClient,
  ListGrantsCommand,
} from "@aws-sdk/client-kms";
import { readMaterials } from "../expiry/scan";
import { kmsCall } from "../kms/aws-error";
import type { ListedKey } from "../kms/list-keys";
import { serverNow } from "../kms/server-time";
import type { PolicyJson } from "../vocabulary/policy-evaluation";
import type { AuditedKey, KeyLastUse } from "./model";

/**
 * Reads that KMS refuses for a key in some states (a key pending deletion or import) answer
 * KMSInvalidStateException; the audit then has nothing to say on that point rather than failing the run.
 */
async function unlessInvalidState<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof Error && "awsName" in error && error.awsName === "KMSInvalidStateException") {
      return undefined;
    }
    throw error;
  }
}

export async function readAuditedKey(
  client: KMSClient,
  account: string,
  key: ListedKey,
): Promise<AuditedKey> {
  const { metadata } = key;
  const arn = metadata.Arn ?? metadata.KeyId ?? "";
  const [policy, grants, rotation, materials, lastUse] = await Promise.all([
    readPolicy(client, arn),
    readGrants(client, arn),
    autoRotatable(key) ? unlessInvalidState(() => readRotation(client, arn)) : undefined,
    metadata.Origin === "EXTERNAL" ? readMaterials(client, metadata) : [],
    unlessInvalidState(() => readLastUse(client, arn)),
  ]);
  return {
    account,
    region: key.region,
    arn,
    metadata,
    tags: Object.fromEntries(key.rawTags.map((tag) => [tag.TagKey ?? "", tag.TagValue ?? ""])),
    aliases: key.aliases,
    policy,
    grants,
    rotation,
    materials,
    lastUse,
    observedAt: serverNow(client),
  };
}

/** Automatic rotation exists for symmetric encryption keys with KMS-generated material only. */
function autoRotatable(key: ListedKey): boolean {
  const { metadata } = key;
  return (
    metadata.Origin === "AWS_KMS" &&
    metadata.KeySpec === "SYMMETRIC_DEFAULT" &&
    metadata.KeyUsage === "ENCRYPT_DECRYPT" &&
    metadata.MultiRegionConfiguration?.MultiRegionKeyType !== "REPLICA"
  );
}

async function readPolicy(client: KMSClient, arn: string): Promise<PolicyJson | undefined> {
  const output = await kmsCall(`GetKeyPolicy ${arn}`, () =>
    client.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: "default" })),
  );
  return output.Policy ? (JSON.parse(output.Policy) as PolicyJson) : undefined;
}

async function readGrants(client: KMSClient, arn: string): Promise<GrantListEntry[]> {
  const grants: GrantListEntry[] = [];
  let marker: string | undefined;
  do {
    const page = await kmsCall(`ListGrants ${arn}`, () =>
      client.send(new ListGrantsCommand({ KeyId: arn, Limit: 100, Marker: marker })),
    );
    grants.push(...(page.Grants ?? []));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return grants;
}

async function readRotation(client: KMSClient, arn: string): Promise<AuditedKey["rotation"]> {
  const output = await kmsCall(`GetKeyRotationStatus ${arn}`, () =>
    client.send(new GetKeyRotationStatusCommand({ KeyId: arn })),
  );
  const rotation: NonNullable<AuditedKey["rotation"]> = { enabled: output.KeyRotationEnabled === true };
  if (output.RotationPeriodInDays !== undefined) rotation.periodDays = output.RotationPeriodInDays;
  return rotation;
}

async function readLastUse(client: KMSClient, arn: string): Promise<KeyLastUse> {
  const output = await kmsCall(`GetKeyLastUsage ${arn}`, () =>
    client.send(new GetKeyLastUsageCommand({ KeyId: arn })),
  );
  const lastUse: KeyLastUse = {};
  if (output.KeyLastUsage?.Timestamp) lastUse.at = output.KeyLastUsage.Timestamp;
  if (output.KeyLastUsage?.Operation) lastUse.operation = output.KeyLastUsage.Operation;
  if (output.TrackingStartDate) lastUse.trackingStartedAt = output.TrackingStartDate;
  return lastUse;
}
