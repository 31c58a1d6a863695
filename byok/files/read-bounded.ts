/**
 * Reading files a user names, bounded. A path may point at anything: `/dev/zero` never ends, a FIFO blocks
 * until someone writes, a 5 GB file exhausts memory. Every input is a regular file under a size cap that
 * fits its kind, checked before a byte is read, so a wrong path ends with one line instead of a hang.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from "node:fs";
import { KeyplaneError } from "../errors";

/** Caps per kind of input, far above any real file of that kind. */
export const INPUT_LIMITS = {
  /** Key material, PEM/DER/PKCS#12, hex components: an RSA-4096 PKCS#12 is about 7 KB. */
  material: 1024 * 1024,
  /** Wrapping public keys, import tokens, wrapped material: a few KB at most. */
  importFile: 1024 * 1024,
  /** Escrow share files (JSON, one RSA-4096 share about 5 KB). */
  share: 1024 * 1024,
  /** Passphrase and password files: only the first line is used. */
  passphrase: 64 * 1024,
  /** Key plans: a 10,000-application plan is about 2.6 MB. */
  plan: 16 * 1024 * 1024,
  /** Journals grow with every run: years of quarterly rotations of thousands of keys. */
  journal: 512 * 1024 * 1024,
} as const;

export type InputKind = keyof typeof INPUT_LIMITS;

export interface InputFile {
  /** The flag or setting that named the file, e.g. `--material`; errors say it before the path. */
  field?: string;
  kind: InputKind;
}

/**
 * Checks without opening (a FIFO would block the open) that `path` is a regular file within its cap.
 * Returns false for a missing file when `missingOk`, so callers can create it.
 */
export function checkInputFile(path: string, input: InputFile, missingOk = false): boolean {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && missingOk) return false;
    throw fileError(
      path,
      input,
      code === "ENOENT" ? "no such file" : `cannot read it (${code ?? "error"})`,
      error,
    );
  }
  assertRegularWithin(path, input, stats);
  return true;
}

/** Reads a whole input file after the same checks; the open is non-blocking, so a FIFO swapped in fails. */
export function readInputFile(path: string, input: InputFile): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw fileError(
      path,
      input,
      code === "ENOENT" ? "no such file" : `cannot read it (${code ?? "error"})`,
      error,
    );
  }
  try {
    const stats = fstatSync(fd);
    assertRegularWithin(path, input, stats);
    const limit = INPUT_LIMITS[input.kind];
    const chunks: Buffer[] = [];
    let length = 0;
    // Sized by fstat and read to the end: a file that grew since is read on, and still held to the cap.
    let chunk = Buffer.alloc(Math.min(stats.size, limit) + 1);
    let filled = 0;
    for (;;) {
      const read = readSync(fd, chunk, filled, chunk.length - filled, null);
      if (read === 0) break;
      filled += read;
      length += read;
      if (length > limit) {
        for (const part of [...chunks, chunk]) part.fill(0);
        throw fileError(path, input, `larger than ${describeBytes(limit)}`);
      }
      if (filled === chunk.length) {
        chunks.push(chunk);
        chunk = Buffer.alloc(64 * 1024);
        filled = 0;
      }
    }
    chunks.push(chunk.subarray(0, filled));
    const content = Buffer.concat(chunks, length);
    for (const part of chunks) part.fill(0);
    return content;
  } finally {
    closeSync(fd);
  }
}

function assertRegularWithin(path: string, input: InputFile, stats: Stats): void {
  if (stats.isDirectory()) throw fileError(path, input, "is a folder, expected a file");
  if (!stats.isFile()) {
    throw fileError(path, input, "is not a regular file (a device, FIFO or socket cannot be read safely)");
  }
  const limit = INPUT_LIMITS[input.kind];
  if (stats.size > limit) throw fileError(path, input, `larger than ${describeBytes(limit)}`);
}

function fileError(path: string, input: InputFile, reason: string, cause?: unknown): KeyplaneError {
  const label = input.field === undefined ? path : `${input.field} ${path}`;
  return new KeyplaneError("FILE", `${label}: ${reason}`, cause === undefined ? {} : { cause });
}

function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}
