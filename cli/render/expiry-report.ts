import { extname } from "node:path";
import { usageError } from "../../byok/errors";
import { expiryTimelineSvg, svgDocument, type TimelineKey } from "./expiry-svg";
import { html, htmlDocument } from "./html";
import { writeDocument } from "./write-document";

/** Checks `--report`'s file name before any scan: .svg, .html or .pdf. */
export function assertExpiryReportName(out: string): void {
  if (![".svg", ".html", ".htm", ".pdf"].includes(extname(out).toLowerCase())) {
    throw usageError(`--report: '${out}' must end in .svg, .html or .pdf`);
  }
}

/** The expiry timeline as a bare SVG, or inside a printable HTML (or PDF) page. */
export async function writeExpiryReport(
  out: string,
  keys: readonly TimelineKey[],
  now: Date,
  warningDays: number,
): Promise<void> {
  const svg = expiryTimelineSvg(keys, now, warningDays);
  if (extname(out).toLowerCase() === ".svg") {
    await writeDocument(out, svgDocument(svg), "as-is");
    return;
  }
  await writeDocument(
    out,
    htmlDocument(
      "Key material expiry timeline",
      html`<h1>Key material expiry timeline</h1>
<p class="small">Bars run from now to each key's current material expiry; hollow marks are earlier rotations' materials; the shaded band is the warning window. NIST SP 800-57 Part 1 §5.3 and PCI DSS v4.0 3.7.4: keys change at the end of their cryptoperiod.</p>
${svg}`,
    ),
  );
}
