/**
 * The offline half of byok behind one object, in the shape the ceremony and rotation runners expect
 * (byok/ceremony/ports.ts MaterialOffline): generate, wrap, escrow, recover, journal. Everything goes
 * through the real modules, so a ceremony writes the share files and journal that `byok escrow combine`
 * and `byok journal verify` read.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KeyplaneError } from "./errors";
import { combineShareFiles } from "./escrow/combine";
import { SHARE_FORMAT, type ShareFile } from "./escrow/share-file";
import { splitToShareFiles } from "./escrow/split";
import { appendJournal, type JournalValue, readJournal } from "./journal/journal";
import { generateMaterial } from "./material/generate";
import type { KeyMaterial, LentMaterial } from "./material/key-material";
import type { KeySpec } from "./vocabulary/key-specs";
import type { WrappingAlgorithm } from "./vocabulary/wrapping";
import { wrapForImport } from "./wrap/wrap-for-import";

/** A journal record as the runners write it: non-secret primitives only. */
export interface OfflineJournalRecord {
  event: string;
  outcome: "ok" | "failed";
  keyArn: string;
  [field: string]: JournalValue | undefined;
}

export interface EscrowToDirectory {
  keyArn: string;
  dir: string;
  shares: number;
  threshold: number;
  /** One per share, index order: seals each share under its custodian's passphrase. */
  passphrases?: readonly string[];
}

export interface RecoverRequest {
  keyArn: string;
  /** A directory holding share files (of possibly several keys and splits). */
  dir?: string;
  /** Or exactly these share files. */
  shareFiles?: readonly string[];
  /** Picks the material when shares of several are present; combine checks it too. */
  expectedCheckValue?: string;
  /** Passphrases by share index (passphrases[0] for share 1). */
  passphrases?: readonly string[];
}

export interface OfflineBinding {
  generate(keySpec: KeySpec): KeyMaterial;
  wrap(material: LentMaterial, publicKeyDer: Buffer, algorithm: WrappingAlgorithm): Buffer;
  escrow(material: LentMaterial, request: EscrowToDirectory): Promise<string[]>;
  recover(request: RecoverRequest): Promise<KeyMaterial>;
  journal(record: OfflineJournalRecord): Promise<void>;
  journalRecords(): Promise<OfflineJournalRecord[]>;
}

/**
 * Binds the offline steps; without a journal file, journal() does nothing and there are no records.
 * `caller` (the STS caller ARN of an online command) goes into every record it writes.
 */
export function bindOfflineModules(options: { journalFile?: string; caller?: string } = {}): OfflineBinding {
  const { journalFile, caller } = options;
  return {
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
        ...(request.passphrases ? { passphrases: request.passphrases } : {}),
      });
      return result.files;
    },
    async recover(request) {
      const files = request.shareFiles ?? sharesInDirectory(request);
      const { material } = await combineShareFiles({
        files,
        expectedKeyArn: request.keyArn,
        passphrase: ({ index }) => request.passphrases?.[index - 1],
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
      return readJournal(journalFile) as unknown as OfflineJournalRecord[];
    },
  };
}

/**
 * The share files of the key's latest split in `dir` (with the expected check value, when given). Files
 * that are not share files are skipped; combine checks the chosen ones fully.
 */
function sharesInDirectory(request: RecoverRequest): string[] {
  const dir = request.dir;
  if (!dir) throw new KeyplaneError("USAGE", "escrow recovery needs a share directory or share files");
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith(".json"));
  } catch (error) {
    throw new KeyplaneError(
      "FILE",
      `${dir}: cannot read the escrow directory (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      {
        cause: error,
      },
    );
  }
  const candidates = names.flatMap((name) => {
    const path = join(dir, name);
    try {
      const file = JSON.parse(readFileSync(path, "utf8")) as Partial<ShareFile>;
      const wanted =
        file.format === SHARE_FORMAT &&
        file.keyArn === request.keyArn &&
        (request.expectedCheckValue === undefined || file.checkValue === request.expectedCheckValue);
      return wanted ? [{ path, ceremonyId: String(file.ceremonyId), createdAt: String(file.createdAt) }] : [];
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
