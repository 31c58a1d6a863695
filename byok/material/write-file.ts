import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { KeyplaneError } from "../errors";

/**
 * Writes a new file with mode 0600, never replacing an existing one (material is only written on request,
 * and an older material file may be the only copy). On a failed write nothing is left behind.
 */
export function writeNewPrivateFile(path: string, bytes: Buffer | string): void {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new KeyplaneError(
      "FILE",
      code === "EEXIST"
        ? `${path}: already exists; refusing to overwrite it`
        : `${path}: cannot create the file (${code})`,
      { cause: error },
    );
  }
  try {
    if (typeof bytes === "string") writeSync(fd, bytes);
    else writeSync(fd, bytes);
  } catch (error) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw new KeyplaneError(
      "FILE",
      `${path}: cannot write the file (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      {
        cause: error,
      },
    );
  }
  closeSync(fd);
}
