import type { Command } from "commander";
import { usageError } from "../../byok/errors";
import { type ListedKey, listKeysAndRead } from "../../byok/kms/list-keys";
import { serverNow } from "../../byok/kms/server-time";
import { rotationFacts } from "../../byok/rotation/facts";
import { assessRotations, type RotationAssessment, rotationNeedsAttention } from "../../byok/rotation/model";
import { type ObservedRotation, observeRotation } from "../../byok/rotation/observe";
import { type ActionReport, applyRotationActions, type RotationWork } from "../../byok/rotation/runner";
import { EXIT } from "../exit-codes";
import { assertThreshold } from "../flags";
import { type FlowGuard, guardFlow } from "../flow-guard";
import { type GlobalOptions, globalOptions } from "../global-options";
import { journaledSteps } from "../journal-binding";
import { type Column, printResult, renderJson, renderTable, useColor } from "../output";
import { createProgressBar } from "../progress/progress-bar";
import { fleetClient, fleetLimiter, fleetRegions, planMatchesNoKey } from "./fleet";
import type { RotationFlags } from "./rotation";

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

interface Assessed extends RotationWork {
  region: string;
  observedAt: Date;
}

async function assessFleet(options: GlobalOptions, flags: RotationFlags): Promise<Assessed[]> {
  const regions = await fleetRegions(options, flags.regions);
  const limiter = fleetLimiter();
  const bar = createProgressBar("reading keys");
  const done = regions.map(() => 0);
  const totals = regions.map(() => 0);
  try {
    const perRegion = await Promise.all(
      regions.map(async (region, index) => {
        const client = fleetClient(options, region);
        try {
          const wanted = (key: ListedKey) =>
            flags.all ? true : flags.plan ? key.tags.plan === flags.plan : key.tags.plan !== undefined;
          // Each key's rotation is read right after its tags, so the quotas of both are used at once.
          const observed = (
            await listKeysAndRead(client, {
              limiter,
              region,
              readFurther: async (key) => (wanted(key) ? observeRotation(client, key) : undefined),
              onKey: (regionDone, regionTotal) => {
                done[index] = regionDone;
                totals[index] = regionTotal;
                bar.update(
                  done.reduce((a, b) => a + b, 0),
                  totals.reduce((a, b) => a + b, 0),
                );
              },
            })
          ).filter((item): item is ObservedRotation => item !== undefined);
          const now = serverNow(client);
          const byArn = new Map(
            observed.map((item) => {
              const facts = rotationFacts(item);
              return [facts.keyArn, { facts, validity: item.key.tags.materialValidityDays }] as const;
            }),
          );
          const assessments = assessRotations(
            [...byArn.values()].map((entry) => entry.facts),
            { now },
          );
          return assessments.map((assessment): Assessed => {
            // Every assessment is of one of these facts.
            const { facts, validity } = byArn.get(assessment.keyArn)!;
            return {
              facts,
              assessment,
              region,
              observedAt: now,
              ...(validity === undefined ? {} : { validityDays: validity }),
            };
          });
        } finally {
          client.destroy();
        }
      }),
    );
    const assessed = perRegion.flat();
    if (flags.plan && assessed.length === 0) throw planMatchesNoKey(flags.plan, regions);
    return assessed;
  } finally {
    bar.finish();
  }
}

const TONE = { ok: "green", due: "yellow", overdue: "red", misconfigured: "red", attention: "red" } as const;

export async function rotationStatus(flags: RotationFlags, command: Command): Promise<void> {
  const options = globalOptions(command);
  const rows = await assessFleet(options, flags);
  const json = (items: readonly Assessed[]) => ({
    observedAt: iso(items[0]?.observedAt ?? new Date()),
    attention: rotationNeedsAttention(items.map((item) => item.assessment)),
    keys: items.map(statusJson),
  });
  const columns: Column<Assessed>[] = [
    { header: "KEY", value: (row) => row.facts.aliases[0] ?? row.facts.keyArn },
    { header: "REGION", value: (row) => row.region },
    { header: "MODE", value: (row) => row.assessment.mode },
    { header: "WANTED", value: (row) => days(row.facts.rotationDays), align: "right" },
    { header: "SET", value: (row) => days(row.facts.rotationPeriodDays), align: "right" },
    { header: "LAST", value: (row) => dateOnly(row.assessment.lastRotation) },
    { header: "NEXT", value: (row) => dateOnly(row.assessment.nextDue) },
    { header: "STATUS", value: (row) => row.assessment.status, tone: (row) => TONE[row.assessment.status] },
  ];
  printResult(options, rows, columns, json, "no keys of the plan found");
  if (rotationNeedsAttention(rows.map((row) => row.assessment))) process.exitCode = EXIT.attention;
}

function statusJson(item: Assessed) {
  const { facts, assessment } = item;
  return {
    region: item.region,
    keyArn: facts.keyArn,
    alias: facts.aliases[0] ?? null,
    mode: assessment.mode,
    periodWantedDays: facts.rotationDays ?? null,
    periodSetDays: facts.rotationPeriodDays ?? null,
    lastRotation: iso(assessment.lastRotation),
    nextRotation: iso(assessment.nextDue),
    status: assessment.status,
    reason: assessment.reason,
  };
}

/**
 * Keys rotated at once per region: enough to keep KMS's import quotas (5 per second each for
 * GetParametersForImport, ImportKeyMaterial and RotateKeyOnDemand) busy while other calls wait on latency.
 */
const ROTATION_CONCURRENCY = 8;

export async function rotationApply(flags: RotationFlags, command: Command): Promise<void> {
  const options = globalOptions(command);
  const dryRun = flags.dryRun === true;
  const shares = flags.escrowShares ?? 3;
  const threshold = flags.escrowThreshold ?? 2;
  assertThreshold(threshold, shares, { threshold: "--escrow-threshold", shares: "--escrow-shares" });
  const escrow = flags.escrowDir ? { dir: flags.escrowDir, shares, threshold } : undefined;
  if (!dryRun && !options.journal) throw usageError("missing --journal", "rotation apply is journaled");
  // One run per journal and escrow folder: a second one would chain from the same journal line.
  const guard = dryRun
    ? undefined
    : guardFlow({
        flow: "rotation",
        command: "keyplane rotation apply",
        journalFile: options.journal,
        escrowDir: escrow?.dir,
      });
  try {
    await applyAll(options, flags, dryRun, escrow, guard);
  } finally {
    guard?.release();
  }
}

async function applyAll(
  options: GlobalOptions,
  flags: RotationFlags,
  dryRun: boolean,
  escrow: { dir: string; shares: number; threshold: number } | undefined,
  guard: FlowGuard | undefined,
): Promise<void> {
  guard?.at("reading the keys");
  const work = await assessFleet(options, flags);
  const byRegion = new Map<string, Assessed[]>();
  for (const item of work) byRegion.set(item.region, [...(byRegion.get(item.region) ?? []), item]);
  const offline = await journaledSteps(options, dryRun ? undefined : options.journal);
  let finished = 0;
  guard?.at(`rotating keys (0 of ${work.length} done)`);
  // Regions have quotas of their own: they run side by side.
  const perRegion = await Promise.all(
    [...byRegion].map(async ([region, items]) => {
      const client = fleetClient(options, region);
      try {
        return await applyRotationActions(client, offline, items, {
          dryRun,
          concurrency: ROTATION_CONCURRENCY,
          ...(escrow ? { escrow } : {}),
          onAction: (report) => {
            finished += 1;
            guard?.at(`rotating keys (${finished} of ${work.length} done)`);
            if (!dryRun && report.outcome === "done") {
              process.stderr.write(`${report.alias ?? report.keyArn}: ${report.action} done\n`);
            }
          },
        });
      } finally {
        client.destroy();
      }
    }),
  );
  const reports: ActionReport[] = perRegion.flat();
  const actionable = reports.filter((report) => report.outcome !== "none");
  if (options.output === "json") {
    process.stdout.write(renderJson({ dryRun, actions: actionable }));
  } else if (actionable.length === 0) {
    process.stderr.write("nothing to do: every key rotates as the plan asks\n");
  } else {
    // New material's check value and share files are what custodians write on the paper record.
    const columns: Column<ActionReport>[] = [
      {
        header: "OUTCOME",
        value: (report) => report.outcome,
        tone: (report) =>
          report.outcome === "manual" ? "yellow" : report.outcome === "planned" ? undefined : "green",
      },
      { header: "KEY", value: (report) => report.alias ?? report.keyArn },
      { header: "ACTION", value: (report) => report.action },
      { header: "CHECK VALUE", value: (report) => report.checkValue ?? "-" },
      { header: "DETAIL", value: (report) => report.detail },
    ];
    process.stdout.write(renderTable(actionable, columns, useColor(options)));
    for (const report of actionable) {
      if (report.escrowFiles && report.escrowFiles.length > 0) {
        process.stdout.write(
          `escrow of ${report.alias ?? report.keyArn}: ${report.escrowFiles.join(", ")}\n`,
        );
      }
    }
  }
  const open = (assessment: RotationAssessment) => assessment.status !== "ok";
  const remaining = dryRun
    ? work.some((item) => open(item.assessment))
    : reports.some((report) => report.outcome === "manual");
  if (remaining) process.exitCode = EXIT.attention;
}

const days = (value: number | undefined) => (value === undefined ? "-" : `${value}d`);
const dateOnly = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : "-");
