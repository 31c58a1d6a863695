import { setTimeout as sleep } from "node:timers/promises";
import { DescribeKeyCommand, type KeyMetadata, type KMSClient } from "@aws-sdk/client-kms";
import { KeyplaneError } from "../errors";
import { kmsCall } from "./aws-error";
import { assertKeyReference } from "./key-reference";

export { assertKeyReference, type KeyReferenceKind, keyReferenceKind } from "./key-reference";

/** How long to wait for a replica that KMS is still creating, and how often to ask. */
export interface CreationWait {
  timeoutMs: number;
  pollMs: number;
}

/**
 * KMS creates a multi-Region replica asynchronously: ReplicateKey answers with KeyState Creating, which
 * "changes to Enabled (or PendingImport) after a few seconds"; until then the replica cannot be used or
 * imported into (KMSInvalidStateException). Terraform's provider waits up to 2 minutes; so does keyplane.
 * https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-replicate.html
 */
export const REPLICA_CREATION_WAIT: CreationWait = { timeoutMs: 120_000, pollMs: 1_000 };

/**
 * Resolves any of the four forms to the key's metadata (ARN, spec, origin, state, ...). A replica still being
 * created is waited for, so every command that acts on the key finds it in its working state.
 */
export async function resolveKey(
  client: KMSClient,
  reference: string,
  field = "--key",
  wait: CreationWait = REPLICA_CREATION_WAIT,
): Promise<KeyMetadata> {
  assertKeyReference(reference, field);
  const deadline = Date.now() + wait.timeoutMs;
  let metadata = await describeKey(client, reference);
  while (metadata.KeyState === "Creating") {
    if (Date.now() + wait.pollMs > deadline) {
      throw new KeyplaneError(
        "AWS",
        `${metadata.Arn}: the replica key is still being created (KeyState Creating) after ${Math.round(wait.timeoutMs / 1000)} s`,
        { hint: "KMS usually finishes in seconds; check the key in its Region with DescribeKey, then rerun" },
      );
    }
    await sleep(wait.pollMs);
    metadata = await describeKey(client, reference);
  }
  return metadata;
}

async function describeKey(client: KMSClient, reference: string): Promise<KeyMetadata & { Arn: string }> {
  const output = await kmsCall(`DescribeKey ${reference}`, () =>
    client.send(new DescribeKeyCommand({ KeyId: reference })),
  );
  const metadata = output.KeyMetadata;
  if (!metadata?.Arn) {
    throw new KeyplaneError("AWS", `DescribeKey ${reference}: KMS returned no key metadata`);
  }
  return { ...metadata, Arn: metadata.Arn };
}
