import { readFileSync } from "node:fs";
import { combine } from "shamir-secret-sharing";
import { KeyplaneError } from "../errors";
import { KeyMaterial } from "../material/key-material";
import { openShare, parseShareFile, type ShareFile } from "./share-file";

export interface CombineRequest {
  /** Share file paths. */
  files: readonly string[];
  /** Passphrase of a sealed share, asked per file (index is the share's index). */
  passphrase?: (share: { path: string; index: number }) => string | undefined;
  /** Refuse shares of any other key. */
  expectedKeyArn?: string;
}

export interface CombineResult {
  material: KeyMaterial;
  keyArn: string | null;
  ceremonyId: string;
  /** Share indexes used. */
  indexes: number[];
}

/**
 * Recovers material from at least `threshold` share files of one split. Refuses shares of different keys or
 * splits, duplicates, too few shares, altered files, wrong passphrases, and a result whose check value is
 * not the one recorded in the shares. The caller disposes the returned material.
 */
export async function combineShareFiles(request: CombineRequest): Promise<CombineResult> {
  if (request.files.length === 0)
    throw new KeyplaneError("USAGE", "--share: give at least the threshold number of share files");
  const shares = request.files.map((path) => ({ path, file: readShare(path) }));
  const first = shares[0]!;
  for (const { path, file } of shares.slice(1)) {
    for (const field of ["keyArn", "ceremonyId", "keySpec", "checkValue", "threshold", "shares"] as const) {
      if (file[field] !== first.file[field]) {
        throw new KeyplaneError(
          "INTEGRITY",
          `${path}: belongs to a different key or split than ${first.path} (${field} ${String(file[field])} vs ${String(first.file[field])})`,
        );
      }
    }
  }
  if (request.expectedKeyArn !== undefined && first.file.keyArn !== request.expectedKeyArn) {
    throw new KeyplaneError(
      "INTEGRITY",
      `${first.path}: shares are of key ${first.file.keyArn ?? "(none)"}, not ${request.expectedKeyArn}`,
    );
  }
  const seen = new Map<number, string>();
  for (const { path, file } of shares) {
    const other = seen.get(file.index);
    if (other !== undefined)
      throw new KeyplaneError("INVALID_INPUT", `${path}: duplicate of share ${file.index} (${other})`);
    seen.set(file.index, path);
  }
  if (shares.length < first.file.threshold) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `escrow: ${shares.length} share(s) given, ${first.file.threshold} of ${first.file.shares} needed`,
    );
  }
  const opened = shares.map(({ path, file }) =>
    openShare(file, path, request.passphrase?.({ path, index: file.index })),
  );
  let bytes: Uint8Array;
  try {
    // Array.from, not map: shamir-secret-sharing checks `shares.constructor === Array`, which fails for arrays
    // made in another realm (readdirSync's result under jest's vm context, for one).
    bytes = await combine(
      Array.from(opened, (share) => new Uint8Array(share.buffer, share.byteOffset, share.length)),
    );
  } catch (error) {
    throw new KeyplaneError(
      "INTEGRITY",
      `escrow: the shares do not combine (${error instanceof Error ? error.message : "error"})`,
      {
        cause: error,
      },
    );
  } finally {
    for (const share of opened) share.fill(0);
  }
  let material: KeyMaterial;
  try {
    material = new KeyMaterial(first.file.keySpec, Buffer.from(bytes));
  } catch (error) {
    throw new KeyplaneError(
      "INTEGRITY",
      `escrow: the combined material is not valid ${first.file.keySpec} material`,
      { cause: error },
    );
  } finally {
    bytes.fill(0);
  }
  if (material.checkValue !== first.file.checkValue) {
    material.dispose();
    throw new KeyplaneError(
      "INTEGRITY",
      `escrow: the combined material's check value does not match the shares' ${first.file.checkValue} (a share was altered)`,
    );
  }
  return {
    material,
    keyArn: first.file.keyArn,
    ceremonyId: first.file.ceremonyId,
    indexes: shares.map(({ file }) => file.index).sort((a, b) => a - b),
  };
}

function readShare(path: string): ShareFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new KeyplaneError(
      "FILE",
      `${path}: cannot read the share file (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      {
        cause: error,
      },
    );
  }
  return parseShareFile(text, path);
}
