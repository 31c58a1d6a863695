/**
 * The escrow manifest, one per split, written after every share file of the split is on disk:
 *
 * ```json
 * { "format": "keyplane-escrow-manifest", "version": 1, "keyArn": "...", "keySpec": "SYMMETRIC_DEFAULT",
 *   "checkValue": "3A1F09", "ceremonyId": "32 hex", "shares": 3, "threshold": 2,
 *   "createdAt": "...", "files": ["<stem>-share-1-of-3.json", ...] }
 * ```
 * A manifest is the split's commit record: shares without one were interrupted mid-split and are moved to
 * `incomplete/` by the next run of the same key. It holds no share and no secret.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { KeyplaneError } from "../errors";

export const MANIFEST_FORMAT = "keyplane-escrow-manifest";

export interface EscrowManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  keyArn: string | null;
  keySpec: string;
  checkValue: string;
  ceremonyId: string;
  shares: number;
  threshold: number;
  createdAt: string;
  /** Share file names (in the manifest's folder), index order. */
  files: string[];
}

/** `<key id>-<check value>-<first 8 of the split id>`: unique per material and split, readable in a listing. */
export function escrowFileStem(keyArn: string | null, checkValue: string, ceremonyId: string): string {
  const label = (keyArn?.split("/").at(-1) ?? "material").replace(/[^A-Za-z0-9_-]/g, "_");
  return `${label}-${checkValue.replace(/[^A-Za-z0-9]/g, "").slice(0, 16)}-${ceremonyId.slice(0, 8)}`;
}

const fileError = (path: string, what: string, error: unknown, hint?: string) =>
  new KeyplaneError(
    "FILE",
    `${path}: ${what} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    hint === undefined ? { cause: error } : { cause: error, hint },
  );

/** Creates the escrow folder (0700) if needed; a typed error naming it otherwise. */
export function ensureEscrowDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw fileError(dir, "cannot create the escrow folder", error, "give an --escrow-dir you can write to");
  }
}

/**
 * Preflight: the folder exists or can be made, and a file can be created, written, fsynced and removed in
 * it. Run before anything irreversible, so a bad --escrow-dir fails while nothing has been imported.
 */
export function assertEscrowWritable(dir: string): void {
  ensureEscrowDirectory(dir);
  const probe = join(dir, `.keyplane-probe-${randomBytes(6).toString("hex")}`);
  try {
    const fd = openSync(probe, "wx", 0o600);
    try {
      writeSync(fd, "probe\n");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw fileError(dir, "cannot write in the escrow folder", error, "give an --escrow-dir you can write to");
  } finally {
    rmSync(probe, { force: true });
  }
}

/** fsync of a folder, so that names created in it survive a crash (a no-op where the platform refuses). */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the files themselves are already fsynced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeManifest(
  dir: string,
  stem: string,
  fields: Omit<EscrowManifest, "format" | "version">,
): string {
  const path = join(dir, `${stem}.manifest.json`);
  const manifest: EscrowManifest = { format: MANIFEST_FORMAT, version: 1, ...fields };
  const fd = openSync(path, "wx", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(manifest, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncDirectory(dir);
  return path;
}

function isManifest(value: unknown): value is EscrowManifest {
  const record = value as Partial<EscrowManifest> | null;
  return (
    record !== null &&
    typeof record === "object" &&
    record.format === MANIFEST_FORMAT &&
    typeof record.ceremonyId === "string" &&
    typeof record.checkValue === "string" &&
    Array.isArray(record.files)
  );
}

/** Every complete split in `dir` (manifest present and every listed share file there), oldest first. */
export function listManifests(dir: string): (EscrowManifest & { path: string })[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw fileError(dir, "cannot read the escrow folder", error);
  }
  return names
    .filter((name) => name.endsWith(".manifest.json"))
    .flatMap((name) => {
      const path = join(dir, name);
      try {
        const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
        if (!isManifest(parsed)) return [];
        if (!parsed.files.every((file) => existsSync(join(dir, file)))) return [];
        return [{ ...parsed, path }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The complete split with this id, if its manifest is in `dir`. */
export function findSplit(dir: string, ceremonyId: string): (EscrowManifest & { path: string }) | undefined {
  return listManifests(dir).find((manifest) => manifest.ceremonyId === ceremonyId);
}

/**
 * Moves the share files of an interrupted split (no manifest) to `dir/incomplete/`, so that nobody mistakes
 * them for a usable escrow. Its material was never imported: the import comes after the manifest.
 */
export function quarantineSplit(
  dir: string,
  keyArn: string | null,
  checkValue: string,
  ceremonyId: string,
): string[] {
  const stem = escrowFileStem(keyArn, checkValue, ceremonyId);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.startsWith(`${stem}-share-`));
  } catch {
    return [];
  }
  if (names.length === 0) return [];
  const target = join(dir, "incomplete");
  mkdirSync(target, { recursive: true, mode: 0o700 });
  for (const name of names) renameSync(join(dir, name), join(target, name));
  syncDirectory(dir);
  return names.map((name) => join(target, name));
}
