/**
 * The audit of one account-Region pair, the unit of work whether it runs in the calling thread or in a
 * worker: its own KMS client, paced to that account and Region's quotas (each pair runs in exactly one
 * thread, so no two pacers share a quota), and its own concurrency limit. Findings are handed to `emit` as
 * each key is read and the key is dropped: memory holds findings, not keys.
 */
import { isKeyplaneError } from "../errors";
import { createKmsClient, type KmsClientOptions } from "../kms/client";
import { createLimiter } from "../kms/limiter";
import { listKeysAndRead } from "../kms/list-keys";
import type { AuditTarget } from "./accounts";
import type { AssumedRole } from "./credentials";
import { auditEstate, auditKey } from "./evaluate";
import type { AuditError, AuditSettings, Finding } from "./model";
import { readAuditedKey } from "./read-key";

/** Requests in flight per account and Region (the pacer keeps them under the quotas). */
export const PAIR_CONCURRENCY = 16;

/** What the clients need beside the account (`region`: STS's, not the pair's): plain data, so it crosses to a worker thread. */
export type PairClientOptions = Omit<KmsClientOptions, "credentials" | "quotaAccount">;

/** An account ready to read: its id and, for another account, the role assumed in it. */
export interface OpenAccount {
  target: AuditTarget;
  role?: AssumedRole;
}

export interface PairEvents {
  emit(findings: Finding[]): void;
  onKey(done: number, total: number): void;
}

export async function auditPair(
  options: PairClientOptions,
  settings: AuditSettings,
  account: OpenAccount,
  region: string,
  events: PairEvents,
): Promise<void> {
  const client = createKmsClient({
    ...options,
    region,
    maxAttempts: options.maxAttempts ?? 12,
    quotaAccount: account.target.account,
    ...(account.role ? { credentials: account.role.credentials } : {}),
  });
  try {
    let keyCount = 0;
    await listKeysAndRead(client, {
      limiter: createLimiter(PAIR_CONCURRENCY),
      region,
      includePendingDeletion: true,
      onKey: events.onKey,
      readFurther: async (key) => {
        keyCount += 1;
        const findings = auditKey(await readAuditedKey(client, account.target.account, key), settings);
        if (findings.length > 0) events.emit(findings);
      },
    });
    const estate = auditEstate({ account: account.target.account, region, keyCount }, settings);
    if (estate.length > 0) events.emit(estate);
  } finally {
    client.destroy();
  }
}

/** An account, or one of its Regions, that could not be read: AWS's exception name and message. */
export function errorOf(target: AuditTarget, error: unknown, region?: string): AuditError {
  const name = isKeyplaneError(error) ? (error.awsName ?? error.code) : "Error";
  const message = isKeyplaneError(error)
    ? error.message
    : error instanceof Error
      ? error.message
      : String(error);
  return {
    account: target.account,
    ...(region ? { region } : {}),
    ...(target.roleArn ? { roleArn: target.roleArn } : {}),
    error: name,
    message,
  };
}
