import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { type AuditTarget, assertRoleName, parseAccountsFile } from "../../byok/audit/accounts";
import { mergeAuditResults, parseAuditResult } from "../../byok/audit/merge";
import { type AuditSettings, atOrAbove, type Finding, isSeverity } from "../../byok/audit/model";
import { AUDIT_RULES } from "../../byok/audit/rules";
import { type AuditReport, auditEstateOf } from "../../byok/audit/run";
import { toSarif } from "../../byok/audit/sarif";
import { KeyplaneError, usageError } from "../../byok/errors";
import { DAY_MS, parseDuration } from "../../byok/vocabulary/durations";
import { parseRegionList } from "../../byok/vocabulary/regions";
import { EXIT } from "../exit-codes";
import { type GlobalOptions, globalOptions } from "../global-options";
import { readVersion } from "../main";
import { type Column, printResult, say } from "../output";
import { createProgressBar } from "../progress/progress-bar";
import type { AuditFlags, AuditMergeFlags } from "./audit";

const TONE = { critical: "red", high: "red", medium: "yellow", low: "dim" } as const;

export async function runAudit(flags: AuditFlags, command: Command): Promise<void> {
  const options = globalOptions(command);
  const settings = settingsOf(flags);
  const shard = shardOf(flags.shard);
  const workers =
    flags.workers === undefined ? availableParallelism() : wholeNumber(flags.workers, "--workers", 1);
  const regions = flags.regions === undefined ? undefined : parseRegionList(flags.regions, "--regions");
  const targets = await targetsOf(flags, options);
  const bar = createProgressBar("auditing keys");
  let report: AuditReport;
  try {
    report = await auditEstateOf({
      ...options,
      targets,
      ...(regions ? { regions } : {}),
      settings,
      workers,
      ...(shard ? { shard } : {}),
      onProgress: (done, total) => bar.update(done, total),
    });
  } finally {
    bar.finish();
  }
  finish(options, report, flags);
}

export async function runAuditMerge(
  files: string[],
  flags: AuditMergeFlags,
  command: Command,
): Promise<void> {
  const options = globalOptions(command);
  const reports = files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new KeyplaneError("FILE", `${file}: cannot read (${(error as NodeJS.ErrnoException).code})`);
    }
    return parseAuditResult(text, file);
  });
  finish(options, mergeAuditResults(reports), flags);
}

/** Prints the report as asked and sets exit code 3 when a finding reaches --fail-on. */
function finish(options: GlobalOptions, report: AuditReport, flags: AuditMergeFlags): void {
  if (flags.format === "sarif") {
    process.stdout.write(`${JSON.stringify(toSarif(report, AUDIT_RULES, readVersion()), null, 2)}\n`);
  } else {
    printFindings(options, report);
  }
  const threshold = flags.failOn;
  if (threshold && isSeverity(threshold) && report.findings.some((f) => atOrAbove(f.severity, threshold))) {
    process.exitCode = EXIT.attention;
  }
}

/** `--shard I/N`: 1 <= I <= N. */
function shardOf(text: string | undefined): { index: number; count: number } | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || count < 1 || index > count) {
    throw usageError(`--shard: expected I/N with 1 <= I <= N, such as 1/4, got '${text}'`);
  }
  return { index, count };
}

function printFindings(options: GlobalOptions, report: AuditReport): void {
  const columns: Column<Finding>[] = [
    { header: "SEVERITY", value: (f) => f.severity, tone: (f) => TONE[f.severity] },
    { header: "RULE", value: (f) => f.rule },
    { header: "ACCOUNT", value: (f) => f.account },
    { header: "REGION", value: (f) => f.region },
    { header: "KEY", value: (f) => f.keyArn.split("/").pop() ?? f.keyArn },
    { header: "EVIDENCE", value: (f) => f.evidence },
  ];
  printResult(options, report.findings, columns, () => report, "no findings");
  if (options.output !== "json") {
    for (const error of report.errors) {
      say(
        `${error.account}${error.region ? ` ${error.region}` : ""}: not audited: ${error.error}: ${error.message}`,
      );
    }
  }
}

function settingsOf(flags: AuditFlags): AuditSettings {
  let withinMs: number;
  try {
    withinMs = parseDuration(flags.within, "--within");
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
  const settings: AuditSettings = {
    expiringWithinDays: Math.floor(withinMs / DAY_MS),
    unusedDays: wholeNumber(flags.unusedDays, "--unused-days", 1),
    maxRotationDays: wholeNumber(flags.maxRotationDays, "--max-rotation-days", 90),
  };
  if (flags.budget !== undefined) settings.budget = wholeNumber(flags.budget, "--budget", 0);
  return settings;
}

function wholeNumber(text: string, flag: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw usageError(`${flag}: expected a whole number >= ${min}, got '${text}'`);
  }
  return Number(text);
}

/** The accounts: --accounts FILE, the organization's (--organization), or none (the caller's own). */
async function targetsOf(flags: AuditFlags, options: GlobalOptions): Promise<AuditTarget[]> {
  if (flags.roleName !== undefined) assertRoleName(flags.roleName);
  if (flags.organization) {
    if (flags.accounts !== undefined) throw usageError("--organization and --accounts: give one of them");
    if (flags.roleName === undefined) {
      throw usageError("--organization needs --role-name (the role to assume in each account)");
    }
    const { organizationTargets } = await import("../../byok/audit/organization");
    return organizationTargets(options, flags.roleName);
  }
  if (flags.accounts === undefined) {
    if (flags.roleName !== undefined) throw usageError("--role-name needs --accounts FILE or --organization");
    return [];
  }
  return parseAccountsFile(flags.accounts, flags.roleName);
}
