/**
 * The offline half of byok behind one port: generate, wrap, escrow, recover, journal. Every material flow
 * (ceremony, rotation, renewal: byok/steps) and the offline commands use it, so a flow writes the share
 * files and journal that `byok escrow combine` and `byok journal verify` read.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KeyplaneError } from "./errors";
import { combineShareFiles } from "./escrow/combine";
import { listManifests } from "./escrow/manifest";
import { parseShareFile, SHARE_FORMAT, type ShareFile } from "./escrow/share-file";
import { splitToShareFiles } from "./escrow/split";
import { appendJournal, assertJournalWritable, type JournalValue, readJournal } from "./journal/journal";
import { generateMaterial } from "./material/generate";
import type { KeyMaterial, LentMaterial } from "./material/key-material";
import type { KeySpec } from "./vocabulary/key-specs";
import type { WrappingAlgorithm } from "./vocabulary/wrapping";
import { wrapForImport } from "./wrap/wrap-for-import";

/** A non-secret record of one step, appended to the hash-chained journal: primitives only. */
export interface JournalRecord {
  event: string;
  outcome: "ok" | "failed";
  keyArn: string;
  [field: string]: JournalValue | undefined;
}

export interface EscrowRequest {
  dir: string;
  shares: number;
  threshold: number;
  /** One per custodian (share index order), optional: shares are sealed under them. */
  passphrases?: readonly string[];
}

/** Asks for the passphrase of a sealed share (by its index) when recovering; undefined when none is known. */
export type PassphraseSource = (share: { index: number; path: string }) => Promise<string | undefined>;

export interface RecoverRequest {
  keyArn: string;
  /** A directory holding share files (of possibly several keys and splits). */
  dir?: string;
  /** Or exactly these share files. */
  shareFiles?: readonly string[];
  /** Picks the split by the material's check value. */
  expectedCheckValue?: string;
  /** Picks exactly this split. */
  ceremonyId?: string;
  passphrase?: PassphraseSource;
}

export interface OfflineBinding {
  generate(keySpec: KeySpec): KeyMaterial;
  wrap(material: LentMaterial, publicKeyDer: Buffer, algorithm: WrappingAlgorithm): Buffer;
  escrow(
    material: LentMaterial,
    request: EscrowRequest & { keyArn: string; ceremonyId?: string },
  ): Promise<{ files: string[]; manifest: string; ceremonyId: string }>;
  recover(request: RecoverRequest): Promise<KeyMaterial>;
  /** Appends to the journal file, if one is kept. */
  journal(record: JournalRecord): Promise<void>;
  /** Records of earlier runs (for resuming), oldest first; none without a journal. */
  journalRecords(): Promise<JournalRecord[]>;
  /** The journal file, if one is kept. */
  readonly journalFile: string | undefined;
  /** Throws unless the journal's chain is intact and the file can be appended to. */
  assertJournalWritable(): void;
}

/**
 * Binds the offline steps; without a journal file, journal() does nothing and there are no records.
 * `caller` (the STS caller ARN of an online command) goes into every record it writes.
 */
export function bindOfflineModules(options: { journalFile?: string; caller?: string } = {}): OfflineBinding {
  const { journalFile, caller } = options;
  return {
    journalFile,
    generate: generateMaterial,
    wrap: (material, publicKeyDer, algorithm) =>
      wrapForImport({ material, publicKey: publicKeyDer, algorithm }).wrapped,
    async escrow(material, request) {
      const result = await splitToShareFiles({
        material,
        shares: request.shares,
        threshold: request.threshold,
        outDir: request.dir,
        keyArn: request.keyArn,
        ...(request.ceremonyId ? { ceremonyId: request.ceremonyId } : {}),
        ...(request.passphrases ? { passphrases: request.passphrases } : {}),
      });
      return { files: result.files, manifest: result.manifest, ceremonyId: result.ceremonyId };
    },
    async recover(request) {
      const files = request.shareFiles ?? sharesInDirectory(request);
      const passphrases = new Map<string, string | undefined>();
      for (const path of files) {
        const header = parseShareFile(readFileSync(path, "utf8"), path);
        if (header.sealed && request.passphrase) {
          passphrases.set(path, await request.passphrase({ index: header.index, path }));
        }
      }
      const { material } = await combineShareFiles({
        files,
        expectedKeyArn: request.keyArn,
        passphrase: ({ path }) => passphrases.get(path),
      });
      return material;
    },
    async journal(record) {
      if (!journalFile) return;
      const { event, ...fields } = record;
      appendJournal(journalFile, event, caller ? { caller, ...fields } : fields);
    },
    async journalRecords() {
      if (!journalFile) return [];
      return readJournal(journalFile).map(({ seq: _seq, time: _time, prevHash: _prev, ...entry }) => ({
        ...entry,
        keyArn: String(entry.keyArn ?? ""),
        outcome: entry.outcome === "failed" ? "failed" : "ok",
      }));
    },
    assertJournalWritable() {
      if (journalFile) assertJournalWritable(journalFile);
    },
  };
}

/**
 * The share files of one split of the key in `dir`: the split named by `ceremonyId`, else the newest complete
 * split (manifest present) with the expected check value, else (folders written before manifests existed)
 * the newest split of loose share files.
 */
function sharesInDirectory(request: RecoverRequest): string[] {
  const dir = request.dir;
  if (!dir) throw new KeyplaneError("USAGE", "escrow recovery needs a share directory or share files");
  const wanted = (file: { keyArn: string | null; checkValue: string; ceremonyId: string }) =>
    file.keyArn === request.keyArn &&
    (request.expectedCheckValue === undefined || file.checkValue === request.expectedCheckValue) &&
    (request.ceremonyId === undefined || file.ceremonyId === request.ceremonyId);
  const complete = listManifests(dir).filter(wanted).at(-1);
  if (complete) return complete.files.map((name) => join(dir, name));
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith(".json") && !name.endsWith(".manifest.json"));
  } catch (error) {
    throw new KeyplaneError(
      "FILE",
      `${dir}: cannot read the escrow directory (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      { cause: error },
    );
  }
  const candidates = names.flatMap((name) => {
    const path = join(dir, name);
    try {
      const file = JSON.parse(readFileSync(path, "utf8")) as Partial<ShareFile>;
      const usable =
        file.format === SHARE_FORMAT &&
        wanted({
          keyArn: file.keyArn ?? null,
          checkValue: String(file.checkValue),
          ceremonyId: String(file.ceremonyId),
        });
      return usable ? [{ path, ceremonyId: String(file.ceremonyId), createdAt: String(file.createdAt) }] : [];
    } catch {
      return [];
    }
  });
  const latest = candidates.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  if (!latest) {
    throw new KeyplaneError(
      "FILE",
      `${dir}: no escrow shares of ${request.keyArn}${request.expectedCheckValue ? ` with check value ${request.expectedCheckValue}` : ""}`,
    );
  }
  return candidates
    .filter((candidate) => candidate.ceremonyId === latest.ceremonyId)
    .map((candidate) => candidate.path);
}
