import type { Caller } from "./auth/principals";
import type { KeyRecord, KeyState } from "./model";
import { errors } from "./protocol";
import type { Store } from "./store";
import type { WrappingKeys } from "./wrapping-keys";

/** What an operation sees: the state, the sandbox's "now", and who/where the caller is (region from SigV4). */
export interface Context {
  store: Store;
  wrappingKeys: WrappingKeys;
  region: string;
  /** The caller's account: keys it creates belong to it, and key ids without an ARN are looked up in it. */
  accountId: string;
  caller: Caller;
  now: number;
}

export function keyArn(region: string, accountId: string, keyId: string): string {
  return `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
}

export function aliasArn(region: string, accountId: string, aliasName: string): string {
  return `arn:aws:kms:${region}:${accountId}:${aliasName}`;
}

const ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/;
/** Key ids KMS issues: a UUID, or mrk- and 32 hex digits for multi-Region keys. Anything else is "Invalid keyId". */
const KEY_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/i;

/**
 * Finds a key by key id, key ARN and, where the operation allows it (KMS's cryptographic operations and
 * DescribeKey), alias name or alias ARN.
 */
export function findKey(context: Context, identifier: string, options: { alias: boolean }): KeyRecord {
  const { store, region, accountId } = context;
  if (identifier.startsWith("alias/")) {
    if (!options.alias) throw errors.notFound(`Invalid keyId ${identifier}`);
    return keyOfAlias(context, aliasArn(region, accountId, identifier));
  }
  if (identifier.startsWith("arn:")) {
    const match = ARN.exec(identifier);
    if (!match) throw errors.notFound(`Invalid arn ${identifier}`);
    if (match[3]?.startsWith("alias/")) {
      if (!options.alias) throw errors.notFound(`Invalid keyId ${identifier}`);
      return keyOfAlias(context, identifier);
    }
    const key = store.keys.get(identifier);
    if (!key || match[1] !== region) throw errors.notFound(`Key '${identifier}' does not exist`);
    return key;
  }
  if (!KEY_ID.test(identifier)) throw errors.notFound(`Invalid keyId ${identifier}`);
  const arn = keyArn(region, accountId, identifier);
  const key = store.keys.get(arn);
  if (!key) throw errors.notFound(`Key '${arn}' does not exist`);
  return key;
}

/**
 * The key a symmetric ciphertext names by key id. AWS's ciphertext carries the whole key ARN, so a grantee or
 * user in another account decrypts without naming the key; key ids are unique, so the id alone finds it.
 */
export function keyOfCiphertext(context: Context, keyId: string): KeyRecord | undefined {
  const own = context.store.keys.get(keyArn(context.region, context.accountId, keyId));
  if (own) return own;
  for (const key of context.store.keys.values()) {
    if (key.keyId === keyId && key.region === context.region) return key;
  }
  return undefined;
}

function keyOfAlias(context: Context, arn: string): KeyRecord {
  const alias = context.store.aliases.get(arn);
  if (!alias) throw errors.notFound(`Alias ${arn} is not found.`);
  const key = context.store.keys.get(keyArn(alias.region, context.accountId, alias.targetKeyId));
  if (!key) throw errors.notFound(`Alias ${arn} is not found.`);
  return key;
}

const STATE_WORDS: Record<KeyState, string> = {
  Creating: "being created",
  Enabled: "enabled",
  Disabled: "disabled",
  PendingImport: "pending import",
  PendingDeletion: "pending deletion",
};

export function invalidState(key: KeyRecord) {
  return errors.invalidState(`${key.arn} is ${STATE_WORDS[key.state]}.`);
}

/** Management operations (tags, policy, description, aliases, import) refuse keys pending deletion. */
export function assertNotPendingDeletion(key: KeyRecord): void {
  if (key.state === "PendingDeletion") throw invalidState(key);
}

/**
 * While KMS creates a replica it can be described and managed (tags, policy, aliases, description, grants) but
 * not used, imported into or moved to another state: KMSInvalidStateException, which AWS tells callers to retry.
 * https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-replicate.html
 */
export function assertCreated(key: KeyRecord): void {
  if (key.state === "Creating") throw invalidState(key);
}

/** Cryptographic operations need an Enabled key; a Disabled one is a DisabledException, as in KMS. */
export function assertUsable(key: KeyRecord): void {
  if (key.state === "Disabled") throw errors.disabled(`${key.arn} is disabled.`);
  if (key.state !== "Enabled") throw invalidState(key);
}
