/**
 * The audit of an estate: every account (its own credentials, or a role assumed in it) × every Region, read
 * side by side. Each pair has its own KMS client, paced to that account and Region's quotas, and its own
 * concurrency limit, so a slow or throttled pair does not hold up the others. Findings are computed as each
 * key is read and the key is dropped: memory grows with findings, not keys. An account or pair that fails is
 * reported in `errors`; the others finish.
 */
import { isKeyplaneError } from "../errors";
import { createKmsClient, type KmsClientOptions } from "../kms/client";
import { createLimiter } from "../kms/limiter";
import { listKeysAndRead } from "../kms/list-keys";
import type { AuditTarget } from "./accounts";
import { type AssumedRole, assumedRoleProvider, callerAccount } from "./credentials";
import { auditEstate, auditKey } from "./evaluate";
import { type AuditError, type AuditedKey, type AuditSettings, type Finding, SEVERITIES } from "./model";
import { readAuditedKey } from "./read-key";

/** Requests in flight per account and Region (the pacer keeps them under the quotas). */
export const PAIR_CONCURRENCY = 16;

export interface AuditOptions extends Omit<KmsClientOptions, "region" | "credentials" | "quotaAccount"> {
  /** Accounts to audit; empty: the caller's own account. */
  targets: readonly AuditTarget[];
  regions: readonly string[];
  settings: AuditSettings;
  /** `--shard I/N`: this run reads every Nth account-Region pair from the Ith (1-based). */
  shard?: { index: number; count: number };
  onProgress?: (done: number, total: number) => void;
}

export interface AuditReport {
  findings: Finding[];
  errors: AuditError[];
}

interface Account {
  target: AuditTarget;
  role?: AssumedRole;
}

export async function auditEstateOf(options: AuditOptions): Promise<AuditReport> {
  const errors: AuditError[] = [];
  const pairs = shardPairs(options);
  const accounts = await openAccounts(options, [...new Set(pairs.map((pair) => pair.target))], errors);
  const progress = new Map<string, [number, number]>();
  const report = () => {
    let done = 0;
    let total = 0;
    for (const [d, t] of progress.values()) {
      done += d;
      total += t;
    }
    options.onProgress?.(done, total);
  };
  try {
    const perPair = await Promise.all(
      pairs.map(async ({ target, region }) => {
        const account = accounts.get(target);
        if (!account) return [];
        try {
          return await auditPair(options, account, region, (done, total) => {
            progress.set(`${account.target.account}/${region}`, [done, total]);
            report();
          });
        } catch (error) {
          errors.push(errorOf(account.target, error, region));
          return [];
        }
      }),
    );
    return { findings: sortFindings(perPair.flat()), errors: sortErrors(errors) };
  } finally {
    for (const account of accounts.values()) account.role?.close();
  }
}

/** `undefined` stands for the caller's own account (no --accounts). */
type PairTarget = AuditTarget | undefined;

/**
 * The account × Region pairs this run reads: all of them, or with `--shard I/N` every Nth from the Ith, so
 * that N runs (a CI matrix, N batch jobs) split an estate and `keyplane audit merge` joins their results.
 */
function shardPairs(options: AuditOptions): { target: PairTarget; region: string }[] {
  const targets: PairTarget[] = options.targets.length > 0 ? [...options.targets] : [undefined];
  const pairs = targets.flatMap((target) => options.regions.map((region) => ({ target, region })));
  const shard = options.shard;
  return shard ? pairs.filter((_, index) => index % shard.count === shard.index - 1) : pairs;
}

/** Assumes each target's role up front: an account that refuses it is reported once, not per Region. */
async function openAccounts(
  options: AuditOptions,
  targets: readonly PairTarget[],
  errors: AuditError[],
): Promise<Map<PairTarget, Account>> {
  const opened = new Map<PairTarget, Account>();
  await Promise.all(
    targets.map(async (target) => {
      if (!target) {
        opened.set(target, { target: { account: await callerAccount(options) } });
        return;
      }
      if (!target.roleArn) {
        opened.set(target, { target });
        return;
      }
      try {
        opened.set(target, { target, role: await assumedRoleProvider(target.roleArn, options) });
      } catch (error) {
        errors.push(errorOf(target, error));
      }
    }),
  );
  return opened;
}

async function auditPair(
  options: AuditOptions,
  account: Account,
  region: string,
  onKey: (done: number, total: number) => void,
): Promise<Finding[]> {
  const client = createKmsClient({
    ...options,
    region,
    maxAttempts: options.maxAttempts ?? 12,
    quotaAccount: account.target.account,
    ...(account.role ? { credentials: account.role.credentials } : {}),
  });
  try {
    let keyCount = 0;
    const perKey = await listKeysAndRead(client, {
      limiter: createLimiter(PAIR_CONCURRENCY),
      region,
      includePendingDeletion: true,
      onKey,
      readFurther: async (key) => {
        keyCount += 1;
        return auditKey(await readAuditedKey(client, account.target.account, key), options.settings);
      },
    });
    const estate = auditEstate({ account: account.target.account, region, keyCount }, options.settings);
    return [...perKey.flat(), ...estate];
  } finally {
    client.destroy();
  }
}

function errorOf(target: AuditTarget, error: unknown, region?: string): AuditError {
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

export function sortErrors(errors: AuditError[]): AuditError[] {
  return errors.sort(
    (a, b) => a.account.localeCompare(b.account) || (a.region ?? "").localeCompare(b.region ?? ""),
  );
}

/** Most severe first, then by account, Region, key and rule: the same estate prints the same report. */
export function sortFindings(findings: Finding[]): Finding[] {
  const rank = (finding: Finding) => SEVERITIES.indexOf(finding.severity);
  return findings.sort(
    (a, b) =>
      rank(b) - rank(a) ||
      a.account.localeCompare(b.account) ||
      a.region.localeCompare(b.region) ||
      a.keyArn.localeCompare(b.keyArn) ||
      a.rule.localeCompare(b.rule) ||
      a.evidence.localeCompare(b.evidence),
  );
}

/** Every customer managed key of the caller's account in one Region, read in full (for `keyplane adopt`). */
export async function readKeysOf(
  options: Omit<KmsClientOptions, "credentials" | "quotaAccount"> & { region: string },
): Promise<{ account: string; keys: AuditedKey[] }> {
  const account = await callerAccount(options);
  const client = createKmsClient({ ...options, maxAttempts: options.maxAttempts ?? 12 });
  try {
    const keys = await listKeysAndRead(client, {
      limiter: createLimiter(PAIR_CONCURRENCY),
      region: options.region,
      readFurther: (key) => readAuditedKey(client, account, key),
    });
    return { account, keys };
  } finally {
    client.destroy();
  }
}
