import { linkSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { KeyplaneError, usageError } from "../../byok/errors";
import { runChromium } from "./chromium";

export type DocumentFormat = "html" | "pdf";

/** The format an --out file's name asks for; a usage error for anything but .html or .pdf. */
export function documentFormat(out: string | undefined, flag = "--out"): DocumentFormat {
  if (!out) throw usageError(`missing ${flag} FILE.html or FILE.pdf`);
  const ext = extname(out).toLowerCase();
  if (ext === ".html" || ext === ".htm") return "html";
  if (ext === ".pdf") return "pdf";
  throw usageError(`${flag}: '${out}' must end in .html or .pdf`);
}

/**
 * Writes a printable document as HTML or PDF. Rendered in a temporary folder and linked into place only
 * when complete, so a failed render leaves nothing half-written, and an existing file is never overwritten.
 */
export async function writeDocument(
  out: string,
  page: string,
  as: "by-name" | "as-is" = "by-name",
): Promise<void> {
  const format = as === "as-is" ? "html" : documentFormat(out);
  if (exists(out)) throw new KeyplaneError("FILE", `${out}: already exists; refusing to overwrite it`);
  // Beside the output, so the finished file is linked into place on the same file system.
  let work: string;
  try {
    work = mkdtempSync(join(dirname(out), `.${basename(out)}-`));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new KeyplaneError(
      "FILE",
      code === "ENOENT"
        ? `${out}: no such folder ${dirname(out)}`
        : `${out}: cannot write (${code ?? "error"})`,
      { cause: error },
    );
  }
  try {
    const source = join(work, "document.html");
    writeFileSync(source, page, { mode: 0o644 });
    let rendered = source;
    if (format === "pdf") {
      rendered = join(work, "document.pdf");
      await runChromium(pathToFileURL(source).href, [`--print-to-pdf=${rendered}`, "--no-pdf-header-footer"]);
      if (!exists(rendered)) throw new KeyplaneError("FILE", `${out}: Chromium wrote no PDF`);
    }
    place(rendered, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function place(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new KeyplaneError(
      "FILE",
      code === "EEXIST"
        ? `${to}: already exists; refusing to overwrite it`
        : `${to}: cannot write (${code ?? "error"})`,
      { cause: error },
    );
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
