import type { Command } from "commander";

/** `byok journal report JOURNAL --out FILE.html|.pdf`, under the existing `byok journal` group. */
export function registerJournalReport(journal: Command): void {
  journal
    .command("report")
    .description(
      "printable report of a journal for auditors: verdict, steps, callers, check values, roles, controls, last hash",
    )
    .argument("<file>", "journal (JSON Lines)")
    .requiredOption("--out <file>", "FILE.html or FILE.pdf (PDF needs Chromium)")
    .action(async (file: string, flags: { out: string }, command: Command) => {
      const { runJournalReport } = await import("./byok-report-action");
      await runJournalReport(file, flags.out, command);
    });
}
