import { randomBytes } from "node:crypto";
import { closeSync, existsSync, fsyncSync, openSync, rmSync, writeSync } from "node:fs";
import { basename, join } from "node:path";
import { split } from "shamir-secret-sharing";
import { KeyplaneError } from "../errors";
import type { LentMaterial } from "../material/key-material";
import { failpoint } from "../steps/failpoint";
import { ensureEscrowDirectory, escrowFileStem, syncDirectory, writeManifest } from "./manifest";
import { buildShareFile, SHARE_FORMAT, SHARE_VERSION } from "./share-file";

export interface SplitRequest {
  material: LentMaterial;
  /** N: how many shares (2..255). */
  shares: number;
  /** M: how many shares recover the material (2..N). */
  threshold: number;
  outDir: string;
  /** The key the material belongs to; recorded so combine refuses shares of another key. */
  keyArn?: string;
  /** One passphrase per share (index order) to seal that share; omit for plain shares. */
  passphrases?: readonly string[];
  /** Clock for `createdAt` (tests). */
  now?: Date;
  /** The split's id (32 hex), when the caller journaled it before the split (write-ahead); random otherwise. */
  ceremonyId?: string;
}

export interface SplitResult {
  ceremonyId: string;
  /** Written share files, index order. */
  files: string[];
  /** The manifest, written last: its presence says the split is complete. */
  manifest: string;
  checkValue: string;
}

/**
 * M-of-N Shamir split of the material (shamir-secret-sharing, independently audited by Cure53 and Zellic),
 * one share file per custodian (format: share-file.ts), mode 0600, named per material and split
 * (`<key>-<check value>-<split>-share-i-of-N.json`) so one folder serves every rotation cycle. Each file is
 * fsynced, then the manifest (manifest.ts) is written and fsynced, then the folder: a split without its
 * manifest was interrupted and is never used. Existing files are never overwritten, and a failure removes
 * what was written.
 */
export async function splitToShareFiles(request: SplitRequest): Promise<SplitResult> {
  const { shares, threshold, material } = request;
  if (!Number.isInteger(shares) || shares < 2 || shares > 255) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `--shares: expected a whole number from 2 to 255, got ${shares}`,
    );
  }
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > shares) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `--threshold: expected a whole number from 2 to ${shares} (the share count), got ${threshold}`,
    );
  }
  if (request.passphrases && request.passphrases.length !== shares) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `passphrases: expected one per share (${shares}), got ${request.passphrases.length}`,
    );
  }
  if (request.passphrases?.some((passphrase) => passphrase.length < 8)) {
    throw new KeyplaneError("INVALID_INPUT", "passphrases: each must have at least 8 characters");
  }
  // One passphrase sealing several shares lets whoever knows it open all of them: dual control is lost.
  if (request.passphrases && new Set(request.passphrases).size !== request.passphrases.length) {
    throw new KeyplaneError("INVALID_INPUT", "passphrases: each share needs its own custodian's passphrase", {
      hint: "one passphrase for several shares lets one person open them all",
    });
  }
  const ceremonyId = request.ceremonyId ?? randomBytes(16).toString("hex");
  const stem = escrowFileStem(request.keyArn ?? null, material.checkValue, ceremonyId);
  const files = Array.from({ length: shares }, (_, i) =>
    join(request.outDir, `${stem}-share-${i + 1}-of-${shares}.json`),
  );
  const existing = files.find((path) => existsSync(path));
  if (existing)
    throw new KeyplaneError("FILE", `${existing}: already exists; refusing to overwrite an escrow share`);
  ensureEscrowDirectory(request.outDir);

  const secret = material.withBytes((bytes) => new Uint8Array(bytes));
  let parts: Uint8Array[];
  try {
    parts = await split(secret, shares, threshold);
  } finally {
    secret.fill(0);
  }
  const createdAt = (request.now ?? new Date()).toISOString();
  const written: string[] = [];
  try {
    parts.forEach((part, i) => {
      const file = buildShareFile(
        {
          format: SHARE_FORMAT,
          version: SHARE_VERSION,
          keyArn: request.keyArn ?? null,
          ceremonyId,
          keySpec: material.keySpec,
          checkValue: material.checkValue,
          index: i + 1,
          threshold,
          shares,
          createdAt,
        },
        part,
        request.passphrases?.[i],
      );
      const path = files[i] ?? "";
      const fd = openSync(path, "wx", 0o600);
      written.push(path);
      try {
        writeSync(fd, `${JSON.stringify(file, null, 2)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      failpoint("escrow-share");
    });
    syncDirectory(request.outDir);
    const manifest = writeManifest(request.outDir, stem, {
      keyArn: request.keyArn ?? null,
      keySpec: material.keySpec,
      checkValue: material.checkValue,
      ceremonyId,
      shares,
      threshold,
      createdAt,
      files: files.map((path) => basename(path)),
    });
    written.push(manifest);
    return { ceremonyId, files, manifest, checkValue: material.checkValue };
  } catch (error) {
    for (const path of written) rmSync(path, { force: true });
    if (error instanceof KeyplaneError) throw error;
    throw new KeyplaneError(
      "FILE",
      `${request.outDir}: cannot write the escrow shares (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      {
        cause: error,
      },
    );
  } finally {
    for (const part of parts) part.fill(0);
  }
}
