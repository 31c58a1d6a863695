/**
 * The audit of an estate: every account (its own credentials, or a role assumed in it) × every Region given,
 * or each account's enabled Regions, read side by side. Each pair has its own KMS client, paced to that
 * account and Region's quotas (pair.ts); with `workers` > 1 the pairs are spread over worker threads
 * (pool.ts). Findings stream in as keys are read: memory grows with findings, not keys. An account or pair
 * that fails is reported in `errors`; the others finish.
 */
import type { KmsClientOptions } from "../kms/client";
import { createKmsClient } from "../kms/client";
import { createLimiter } from "../kms/limiter";
import { listKeysAndRead } from "../kms/list-keys";
import type { AuditTarget } from "./accounts";
import { assumedRoleProvider, callerAccount } from "./credentials";
import { enabledRegions } from "./enabled-regions";
import { type AuditError, type AuditedKey, type AuditSettings, type Finding, SEVERITIES } from "./model";
import { auditPair, errorOf, type OpenAccount, PAIR_CONCURRENCY, type PairClientOptions } from "./pair";
import { auditInWorkers } from "./pool";
import { readAuditedKey } from "./read-key";

export interface AuditOptions extends PairClientOptions {
  /** Accounts to audit; empty: the caller's own account. */
  targets: readonly AuditTarget[];
  /** Regions to read in every account; undefined: each account's enabled Regions (Account ListRegions). */
  regions?: readonly string[];
  settings: AuditSettings;
  /** `--shard I/N`: this run reads every Nth account-Region pair from the Ith (1-based). */
  shard?: { index: number; count: number };
  /** Worker threads to read the pairs in; 1 (the default): the calling thread. */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface AuditReport {
  findings: Finding[];
  errors: AuditError[];
}

/** `undefined` stands for the caller's own account (no --accounts). */
type PairTarget = AuditTarget | undefined;

interface Pair {
  account: OpenAccount;
  region: string;
}

export async function auditEstateOf(options: AuditOptions): Promise<AuditReport> {
  // The pinned SDK supports the Node 20 keyplane supports; its multi-line notice about future releases would
  // break the one-line stderr contract (worker threads copy the environment when they start).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const errors: AuditError[] = [];
  const findings: Finding[] = [];
  const accounts = new Map<PairTarget, OpenAccount>();
  try {
    const pairs = await pairsOf(options, accounts, errors);
    const progress = new Map<number, [number, number]>();
    const onProgress = (pair: number, done: number, total: number) => {
      progress.set(pair, [done, total]);
      let allDone = 0;
      let allTotal = 0;
      for (const [d, t] of progress.values()) {
        allDone += d;
        allTotal += t;
      }
      options.onProgress?.(allDone, allTotal);
    };
    const workers = Math.min(options.workers ?? 1, pairs.length);
    if (workers > 1) {
      const work = pairs.map(({ account, region }) => ({ target: account.target, region }));
      await auditInWorkers(
        work,
        workers,
        { options: pairOptions(options), settings: options.settings },
        {
          onFindings: (found) => findings.push(...found),
          onError: (error) => errors.push(error),
          onProgress,
        },
      );
    } else {
      await Promise.all(
        pairs.map(async ({ account, region }, index) => {
          try {
            await auditPair(pairOptions(options), options.settings, account, region, {
              emit: (found) => findings.push(...found),
              onKey: (done, total) => onProgress(index, done, total),
            });
          } catch (error) {
            errors.push(errorOf(account.target, error, region));
          }
        }),
      );
    }
    return { findings: sortFindings(findings), errors: sortErrors(errors) };
  } finally {
    for (const account of accounts.values()) account.role?.close();
  }
}

/** The plain-data options a pair's client needs (what crosses to a worker thread). */
function pairOptions(options: AuditOptions): PairClientOptions {
  const { region, profile, endpointUrl, maxAttempts } = options;
  return {
    ...(region ? { region } : {}),
    ...(profile ? { profile } : {}),
    ...(endpointUrl ? { endpointUrl } : {}),
    ...(maxAttempts ? { maxAttempts } : {}),
  };
}

/**
 * The account × Region pairs this run reads, in order (accounts as given, Regions as given or sorted): all of
 * them, or with `--shard I/N` every Nth from the Ith, so that N runs (a CI matrix, N batch jobs) split an
 * estate and `keyplane audit merge` joins their results. Opens the accounts it needs into `accounts`.
 */
async function pairsOf(
  options: AuditOptions,
  accounts: Map<PairTarget, OpenAccount>,
  errors: AuditError[],
): Promise<Pair[]> {
  const targets: PairTarget[] = options.targets.length > 0 ? [...options.targets] : [undefined];
  const inShard = (_: unknown, index: number) =>
    !options.shard || index % options.shard.count === options.shard.index - 1;
  const given = options.regions;
  if (given) {
    const all = targets.flatMap((target) => given.map((region) => ({ target, region })));
    const mine = all.filter(inShard);
    await openAccounts(options, [...new Set(mine.map((pair) => pair.target))], accounts, errors);
    return pairsOpened(mine, accounts);
  }
  // Every shard lists every account's Regions, so that all shards number the pairs alike.
  await openAccounts(options, targets, accounts, errors);
  const regionsOf = new Map<PairTarget, string[]>();
  await Promise.all(
    targets.map(async (target) => {
      const account = accounts.get(target);
      if (!account) return;
      try {
        regionsOf.set(
          target,
          await enabledRegions({
            ...pairOptions(options),
            ...(account.role ? { credentials: account.role.credentials } : {}),
          }),
        );
      } catch (error) {
        accounts.delete(target);
        errors.push(errorOf(account.target, error));
      }
    }),
  );
  const all = targets.flatMap((target) =>
    (regionsOf.get(target) ?? []).map((region) => ({ target, region })),
  );
  return pairsOpened(all.filter(inShard), accounts);
}

function pairsOpened(
  pairs: { target: PairTarget; region: string }[],
  accounts: Map<PairTarget, OpenAccount>,
): Pair[] {
  return pairs.flatMap(({ target, region }) => {
    const account = accounts.get(target);
    return account ? [{ account, region }] : [];
  });
}

/** Assumes each target's role up front: an account that refuses it is reported once, not per Region. */
async function openAccounts(
  options: AuditOptions,
  targets: readonly PairTarget[],
  opened: Map<PairTarget, OpenAccount>,
  errors: AuditError[],
): Promise<void> {
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
