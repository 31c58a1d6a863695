import type { Context } from "../context";
import { keyMetadata } from "../key-metadata";
import type { KeyRecord } from "../model";
import type { Output } from "../protocol";

/** KeyMetadata of a key, with the multi-Region configuration its related keys (same key id) give it. */
export function describe(context: Context, key: KeyRecord): Output {
  const related = key.multiRegion
    ? [...context.store.keys.values()].filter((other) => other.keyId === key.keyId)
    : [];
  const primary = related.find((other) => other.multiRegionRole === "PRIMARY");
  const replicas = related.filter((other) => other.multiRegionRole === "REPLICA");
  return keyMetadata(key, replicas, primary);
}

export function defaultPolicy(accountId: string): string {
  return JSON.stringify(
    {
      Version: "2012-10-17",
      Id: "key-default-1",
      Statement: [
        {
          Sid: "Enable IAM User Permissions",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${accountId}:root` },
          Action: "kms:*",
          Resource: "*",
        },
      ],
    },
    null,
    2,
  );
}
