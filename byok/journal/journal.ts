/**
 * The ceremony journal: JSON Lines, append-only, hash-chained. Each line is one entry
 *
 *   {"seq":1,"time":"...","prevHash":"<64 hex>","event":"import","keyArn":"...",...}
 *
 * where `prevHash` is the SHA-256 (hex) of the previous line's exact bytes (without its newline), or
 * GENESIS_HASH for the first line, and the last field, `entryHash`, is the SHA-256 of the line as it reads
 * without that field (so an edit of the last line shows too). Editing, removing, inserting or reordering any
 * line breaks the chain at a line `verifyJournal` names. Removing the last lines leaves a valid shorter chain: anchor the
 * `lastHash` that verifyJournal returns somewhere else (a ticket, a signed record) to detect that too.
 *
 * Entries hold identities, key ARNs, algorithms, fingerprints, token digests, check values, dates and
 * outcomes: never material, plaintext or import tokens. `JournalFields` only admits strings, numbers,
 * booleans and null, so a KeyMaterial or Buffer cannot be passed by mistake; the same is checked at run time.
 */

import { createHash } from "node:crypto";
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { KeyplaneError } from "../errors";
import { checkInputFile, readInputFile } from "../files/read-bounded";

export const GENESIS_HASH = "0".repeat(64);

export type JournalValue = string | number | boolean | null;

/** Well-known fields (all optional) and any other primitive field. */
export interface JournalFields {
  /** Who ran the step: the STS caller ARN, or a custodian's name. */
  caller?: string;
  keyArn?: string | null;
  keySpec?: string;
  wrappingAlgorithm?: string;
  wrappingKeySpec?: string;
  /** SHA-256 hex of the wrapping public key's SPKI DER. */
  publicKeyFingerprint?: string;
  /** SHA-256 hex of the import token (never the token itself). */
  importTokenSha256?: string;
  /** KCV or public-key fingerprint of the material. */
  checkValue?: string;
  /** ISO time the imported material expires, or null for KEY_MATERIAL_DOES_NOT_EXPIRE. */
  validTo?: string | null;
  outcome?: "ok" | "failed" | string;
  [field: string]: JournalValue | undefined;
}

const RESERVED = new Set(["seq", "time", "prevHash", "event", "entryHash"]);

export interface JournalEntry {
  seq: number;
  time: string;
  prevHash: string;
  event: string;
  [field: string]: JournalValue;
}

/** The entry as one line, ending with its own hash. */
function sealLine(entry: JournalEntry): string {
  const body = JSON.stringify(entry);
  return `${body.slice(0, -1)},"entryHash":"${lineHash(body)}"}`;
}

/** What the journal records of an import token: its SHA-256 (hex), never the token. */
export function importTokenDigest(token: Uint8Array): string {
  return createHash("sha256").update(token).digest("hex");
}

export function lineHash(line: string): string {
  return createHash("sha256").update(line, "utf8").digest("hex");
}

/** The journal's lines; a missing journal has none. A device, FIFO or oversized file is refused, not read. */
function readLines(path: string): string[] {
  const journal = { kind: "journal" } as const;
  if (!checkInputFile(path, journal, true)) return [];
  const text = readInputFile(path, journal).toString("utf8");
  if (text.length > 0 && !text.endsWith("\n")) {
    throw new KeyplaneError(
      "INTEGRITY",
      `${path}: the last line is incomplete (an interrupted write?); run \`keyplane byok journal verify\``,
    );
  }
  return text.split("\n").slice(0, -1);
}

/**
 * Appends one entry (opened with 'a', fsynced before returning, created 0600). The chain continues from the
 * file's last line; `now` is for tests.
 */
export function appendJournal(
  path: string,
  event: string,
  fields: JournalFields = {},
  now: Date = new Date(),
): JournalEntry {
  if (!event || typeof event !== "string")
    throw new KeyplaneError("INTERNAL", "journal: an entry needs an event name");
  const clean: Record<string, JournalValue> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (RESERVED.has(name)) throw new KeyplaneError("INTERNAL", `journal: field '${name}' is reserved`);
    if (value !== null && !["string", "number", "boolean"].includes(typeof value)) {
      throw new KeyplaneError(
        "INTERNAL",
        `journal: field '${name}' must be a string, number, boolean or null (never material or bytes)`,
      );
    }
    clean[name] = value;
  }
  // Never extend a broken chain: the new entry would vouch for lines that were altered.
  verifyJournal(path);
  const lines = readLines(path);
  const previous = lines.at(-1);
  const entry: JournalEntry = {
    seq: lines.length + 1,
    time: now.toISOString(),
    prevHash: previous === undefined ? GENESIS_HASH : lineHash(previous),
    event,
    ...clean,
  };
  let fd: number;
  try {
    fd = openSync(path, "a", 0o600);
  } catch (error) {
    throw new KeyplaneError(
      "FILE",
      `${path}: cannot open the journal (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      {
        cause: error,
      },
    );
  }
  try {
    writeSync(fd, `${sealLine(entry)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return entry;
}

/**
 * Checks, before a step does any work, that its record can be appended: the journal's chain is intact and
 * the file can be opened for append (it is created, empty and 0600, if missing).
 */
export function assertJournalWritable(path: string): void {
  verifyJournal(path);
  try {
    closeSync(openSync(path, "a", 0o600));
  } catch (error) {
    throw new KeyplaneError(
      "FILE",
      `${path}: cannot open the journal (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      { cause: error },
    );
  }
}

export interface JournalVerification {
  entries: number;
  /** SHA-256 of the last line (GENESIS_HASH for an empty journal): anchor it to detect truncation. */
  lastHash: string;
}

/** Checks the whole chain; throws INTEGRITY naming the first line (1-based) that breaks it. */
export function verifyJournal(path: string): JournalVerification {
  const lines = readLines(path);
  let expected = GENESIS_HASH;
  lines.forEach((line, i) => {
    const number = i + 1;
    let entry: Partial<JournalEntry>;
    try {
      entry = JSON.parse(line) as Partial<JournalEntry>;
    } catch {
      throw new KeyplaneError("INTEGRITY", `${path}: line ${number} is not a JSON entry`);
    }
    const { entryHash, ...body } = entry as Partial<JournalEntry> & { entryHash?: unknown };
    if (entryHash !== lineHash(JSON.stringify(body))) {
      throw new KeyplaneError(
        "INTEGRITY",
        `${path}: line ${number} was edited (its entryHash does not match its content)`,
      );
    }
    if (entry.prevHash !== expected) {
      throw new KeyplaneError(
        "INTEGRITY",
        `${path}: line ${number} does not follow line ${number - 1 || "(start)"} (hash chain broken: a line was removed, inserted or reordered)`,
      );
    }
    if (entry.seq !== number) {
      throw new KeyplaneError(
        "INTEGRITY",
        `${path}: line ${number} has sequence number ${String(entry.seq)}, expected ${number}`,
      );
    }
    expected = lineHash(line);
  });
  return { entries: lines.length, lastHash: expected };
}

/** The entries, oldest first, after verifying the chain (for resuming a ceremony). */
export function readJournal(path: string): JournalEntry[] {
  verifyJournal(path);
  return readLines(path).map((line) => {
    const { entryHash: _hash, ...entry } = JSON.parse(line) as JournalEntry;
    return entry as JournalEntry;
  });
}

export interface AnchoredVerification extends JournalVerification {
  /** The line whose hash is the anchor given, when one was. */
  anchorLine?: number;
}

/**
 * `byok journal verify`: the chain, and more than the chain can say alone. An empty journal proves nothing
 * and is refused. With `anchor` (a last hash printed by an earlier run and kept elsewhere), the journal must
 * still hold that line: a journal cut back before it, or rewritten, fails. Lines appended after it are
 * later runs, and are reported.
 */
export function verifyJournalFile(path: string, anchor?: string): AnchoredVerification {
  if (!checkInputFile(path, { kind: "journal" }, true)) {
    throw new KeyplaneError("FILE", `${path}: no such journal`);
  }
  const result = verifyJournal(path);
  if (result.entries === 0) {
    throw new KeyplaneError("INTEGRITY", `${path}: the journal is empty; an empty file proves nothing`);
  }
  if (anchor === undefined) return result;
  const index = readLines(path).findIndex((line) => lineHash(line) === anchor);
  if (index < 0) {
    throw new KeyplaneError(
      "INTEGRITY",
      `${path}: no line has the anchored hash ${anchor} (lines were removed from the end, or the journal was rewritten)`,
    );
  }
  return { ...result, anchorLine: index + 1 };
}
