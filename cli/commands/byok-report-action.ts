import type { Command } from "commander";
import { KeyplaneError } from "../../byok/errors";
import { journalReport } from "../../byok/report/journal-report";
import { globalOptions } from "../global-options";
import { renderJson } from "../output";
import { renderReportHtml } from "../render/report-html";
import { documentFormat, writeDocument } from "../render/write-document";

/** Writes the report, and exits 1 after writing it when the journal does not verify. */
export async function runJournalReport(file: string, out: string, command: Command): Promise<void> {
  documentFormat(out);
  const report = journalReport(file);
  await writeDocument(out, renderReportHtml(report, new Date()));
  if (!report.verified) {
    throw new KeyplaneError("INTEGRITY", `${report.verdict}; the report ${out} says so`);
  }
  const fields = { file, out, entries: report.entries, lastHash: report.lastHash ?? "", chain: "intact" };
  if (globalOptions(command).output === "json") {
    process.stdout.write(renderJson(fields));
    return;
  }
  process.stdout.write(
    `${Object.entries(fields)
      .map(([name, value]) => `${name.padEnd(8)}  ${value}`)
      .join("\n")}\n`,
  );
}
