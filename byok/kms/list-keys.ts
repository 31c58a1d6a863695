import {
  DescribeKeyCommand,
  type KeyMetadata,
  type KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  type Tag,
} from "@aws-sdk/client-kms";
import { type KeyplaneTags, parseKeyplaneTags } from "../vocabulary/tags";
import { kmsCall } from "./aws-error";
import { type Limiter, mapLimited } from "./limiter";

/** One customer managed key with what the CLI reads policy from. */
export interface ListedKey {
  region: string;
  metadata: KeyMetadata;
  /** Alias names pointing at the key (`alias/...`), sorted. */
  aliases: string[];
  tags: KeyplaneTags;
  rawTags: Tag[];
}

export interface ListKeysOptions {
  limiter: Limiter;
  region: string;
  /** Keep only keys whose metadata passes (checked before tags are fetched). */
  where?: (metadata: KeyMetadata) => boolean;
  /** Keep keys pending deletion too (an audit reports them; nothing else keyplane does applies to them). */
  includePendingDeletion?: boolean;
  /** Called after each key is read, for progress. */
  onKey?: (done: number, total: number) => void;
}

export interface ListKeysAndReadOptions<T> extends ListKeysOptions {
  /**
   * Further reads of each key, in the same limiter slot right after its own: a fleet scan then works on
   * every quota at once instead of finishing one phase before starting the next.
   */
  readFurther: (key: ListedKey) => Promise<T>;
}

/**
 * Every customer managed key of a region with its aliases and tags. ListKeys and ListAliases are paged;
 * DescribeKey and ListResourceTags run per key behind the limiter. Keys pending deletion and AWS managed
 * keys are left out: nothing keyplane does applies to them.
 */
export function listKeys(client: KMSClient, options: ListKeysOptions): Promise<ListedKey[]> {
  return listKeysAndRead(client, { ...options, readFurther: async (key) => key });
}

/** listKeys, each key passed on to `options.readFurther` as soon as it is read. */
export async function listKeysAndRead<T>(
  client: KMSClient,
  options: ListKeysAndReadOptions<T>,
): Promise<T[]> {
  // Aliases page in while keys are described: only building each result waits for them.
  const aliasesRead = aliasesByKey(client);
  aliasesRead.catch(() => undefined);
  const ids = await listKeyIds(client, options.limiter);
  let done = 0;
  const tick = () => {
    done += 1;
    options.onKey?.(done, ids.length);
  };
  const keys = await mapLimited(options.limiter, ids, async (id): Promise<{ value: T } | undefined> => {
    const output = await kmsCall(`DescribeKey ${id}`, () =>
      client.send(new DescribeKeyCommand({ KeyId: id })),
    );
    const metadata = output.KeyMetadata;
    const wanted =
      metadata !== undefined &&
      metadata.KeyManager === "CUSTOMER" &&
      (options.includePendingDeletion === true || metadata.KeyState !== "PendingDeletion") &&
      (options.where?.(metadata) ?? true);
    if (!wanted) {
      tick();
      return undefined;
    }
    const rawTags = await listTags(client, id);
    const aliases = await aliasesRead;
    const value = await options.readFurther({
      region: options.region,
      metadata,
      aliases: (aliases.get(metadata.KeyId ?? id) ?? []).sort(),
      tags: parseKeyplaneTags(rawTags),
      rawTags,
    });
    tick();
    return { value };
  });
  return keys.flatMap((key) => (key ? [key.value] : []));
}

async function listKeyIds(client: KMSClient, limiter: Limiter): Promise<string[]> {
  const ids: string[] = [];
  let marker: string | undefined;
  do {
    const page = await limiter.run(() =>
      kmsCall("ListKeys", () => client.send(new ListKeysCommand({ Limit: 1000, Marker: marker }))),
    );
    for (const key of page.Keys ?? []) if (key.KeyId) ids.push(key.KeyId);
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return ids;
}

/**
 * Alias pages are read one after another beside the key reads, outside the limiter: key reads waiting for
 * the aliases hold its slots, so a page queued behind them would never run.
 */
async function aliasesByKey(client: KMSClient): Promise<Map<string, string[]>> {
  const byKey = new Map<string, string[]>();
  let marker: string | undefined;
  do {
    const page = await kmsCall("ListAliases", () =>
      client.send(new ListAliasesCommand({ Limit: 100, Marker: marker })),
    );
    for (const alias of page.Aliases ?? []) {
      if (!alias.TargetKeyId || !alias.AliasName) continue;
      byKey.set(alias.TargetKeyId, [...(byKey.get(alias.TargetKeyId) ?? []), alias.AliasName]);
    }
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return byKey;
}

export async function listTags(client: KMSClient, keyId: string): Promise<Tag[]> {
  const tags: Tag[] = [];
  let marker: string | undefined;
  do {
    const page = await kmsCall(`ListResourceTags ${keyId}`, () =>
      client.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: 50, Marker: marker })),
    );
    tags.push(...(page.Tags ?? []));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return tags;
}
