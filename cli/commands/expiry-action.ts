import type { Command } from "commander";
import { KeyplaneError, usageError } from "../../byok/errors";
import { parseShareFile } from "../../byok/escrow/share-file";
import { expiryFacts } from "../../byok/expiry/facts";
import { assessExpiry, type ExpiryAssessment, expiryNeedsAttention } from "../../byok/expiry/model";
import { type ObservedExternalKey, scanExternalKeys } from "../../byok/expiry/scan";
import { readInputFile } from "../../byok/files/read-bounded";
import { expiryFields, MAX_VALIDITY_MS, materialExpiryFromFlags } from "../../byok/import/expiry-option";
import { assertExternalKey } from "../../byok/import/parameters";
import { createKmsClient } from "../../byok/kms/client";
import { listKeys, listTags } from "../../byok/kms/list-keys";
import { resolveKey } from "../../byok/kms/resolve-key";
import { serverNow } from "../../byok/kms/server-time";
import { runMaterialFlow } from "../../byok/steps/run-flow";
import { DAY_MS, parseDuration } from "../../byok/vocabulary/durations";
import { parseKeyplaneTags } from "../../byok/vocabulary/tags";
import { wrappingChoices } from "../../byok/vocabulary/wrapping";
import { EXIT } from "../exit-codes";
import { type FlowGuard, guardFlow } from "../flow-guard";
import { type GlobalOptions, globalOptions } from "../global-options";
import { journaledSteps } from "../journal-binding";
import { type Column, printResult, renderJson } from "../output";
import { createProgressBar } from "../progress/progress-bar";
import { createAsk } from "../prompts/ask";
import { assertExpiryReportName, writeExpiryReport } from "../render/expiry-report";
import type { ExpiryFlags, RenewFlags } from "./expiry";
import { fleetClient, fleetLimiter, fleetRegions, planMatchesNoKey } from "./fleet";

interface Row {
  assessment: ExpiryAssessment;
  observed: ObservedExternalKey | undefined;
}

const TONE = {
  ok: "green",
  warning: "yellow",
  critical: "red",
  expired: "red",
  "pending-import": "red",
} as const;

export async function expiryScan(flags: ExpiryFlags, command: Command): Promise<void> {
  const options = globalOptions(command);
  const withinMs = parseDuration(flags.within, "--within");
  const warningDays = Math.floor(withinMs / DAY_MS);
  if (flags.report) assertExpiryReportName(flags.report);
  const regions = await fleetRegions(options, flags.regions);
  const bar = createProgressBar("scanning keys");
  let observed: ObservedExternalKey[];
  try {
    observed = await scanExternalKeys({
      ...options,
      regions,
      limiter: fleetLimiter(),
      ...(flags.plan ? { plan: flags.plan } : {}),
      onProgress: (done, total) => bar.update(done, total),
    });
  } finally {
    bar.finish();
  }
  if (flags.plan && observed.length === 0 && !(await planHasKeys(options, regions, flags.plan))) {
    throw planMatchesNoKey(flags.plan, regions);
  }
  const now = observed[0]?.observedAt ?? new Date();
  const byArn = new Map(observed.map((item) => [item.key.metadata.Arn ?? "", item]));
  const assessments = assessExpiry(observed.map(expiryFacts), now, {
    warningDays,
    criticalDays: Math.min(7, warningDays),
  });
  const rows: Row[] = assessments.map((assessment) => ({
    assessment,
    observed: byArn.get(assessment.keyArn),
  }));
  const columns: Column<Row>[] = [
    { header: "KEY", value: (row) => row.assessment.aliases[0] ?? row.assessment.keyArn },
    { header: "REGION", value: (row) => row.assessment.region ?? "" },
    { header: "CLASS", value: (row) => row.observed?.key.tags.classification ?? "-" },
    { header: "SPEC", value: (row) => row.assessment.keySpec },
    { header: "MATERIAL", value: (row) => row.assessment.materialState ?? "-" },
    { header: "VALID TO", value: (row) => row.assessment.validTo?.toISOString().slice(0, 16) ?? "-" },
    { header: "DAYS", value: (row) => String(row.assessment.daysLeft ?? "-"), align: "right" },
    { header: "STATUS", value: (row) => row.assessment.status, tone: (row) => TONE[row.assessment.status] },
  ];
  printResult(
    options,
    rows,
    columns,
    (items) => ({
      within: flags.within,
      regions,
      observedAt: now.toISOString(),
      attention: expiryNeedsAttention(items.map((row) => row.assessment)),
      materials: items.map(materialJson),
    }),
    "no EXTERNAL keys found",
  );
  if (flags.report) {
    await writeExpiryReport(
      flags.report,
      rows.map((row) => ({
        label: row.assessment.aliases[0] ?? row.assessment.keyArn,
        status: row.assessment.status,
        materials: (row.observed?.materials ?? [])
          .filter((material) => material.importState === "IMPORTED")
          .map((material) => ({
            keyMaterialId: material.keyMaterialId ?? "",
            state: material.materialState ?? "",
            validTo: material.validTo ?? null,
          })),
      })),
      now,
      warningDays,
    );
  }
  if (expiryNeedsAttention(assessments)) process.exitCode = EXIT.attention;
}

function materialJson(row: Row) {
  const { assessment, observed } = row;
  return {
    region: assessment.region ?? null,
    keyArn: assessment.keyArn,
    alias: assessment.aliases[0] ?? null,
    classification: observed?.key.tags.classification ?? null,
    plan: observed?.key.tags.plan ?? null,
    keySpec: assessment.keySpec,
    keyState: observed?.key.metadata.KeyState ?? null,
    keyMaterialId: assessment.keyMaterialId,
    materialState: assessment.materialState,
    validTo: assessment.validTo?.toISOString() ?? null,
    daysLeft: assessment.daysLeft,
    status: assessment.status,
    action: assessment.action,
  };
}

export async function expiryRenew(flags: RenewFlags, command: Command): Promise<void> {
  const options = globalOptions(command);
  if (!flags.key) throw usageError("missing --key");
  if (!flags.escrowDir && !flags.share) throw usageError("missing --escrow-dir or --share");
  const given = materialExpiryFromFlags({
    expiresIn: flags.expiresIn,
    validTo: flags.validTo,
    noExpiry: flags.expiry === false,
  });
  if (given) expiryFields(given, new Date());
  const filePassphrases = passphrasesByShareIndex(flags.share ?? [], flags.passphraseFile ?? []);
  const ask = await createAsk();
  const client = createKmsClient(options);
  let guard: FlowGuard | undefined;
  try {
    const metadata = await resolveKey(client, flags.key);
    const keySpec = assertExternalKey(metadata, flags.key);
    const keyArn = metadata.Arn ?? flags.key;
    const tags = parseKeyplaneTags(await listTags(client, keyArn));
    const expiry =
      given ??
      (tags.materialValidityDays
        ? {
            kind: "expires-in" as const,
            durationMs: Math.min(tags.materialValidityDays * DAY_MS, MAX_VALIDITY_MS),
          }
        : undefined);
    if (!expiry) {
      throw usageError(
        "missing --expires-in, --valid-to or --no-expiry",
        "the key has no keyplane:material-validity-days tag",
      );
    }
    const choice = wrappingChoices(keySpec)[0];
    if (!choice) throw new KeyplaneError("INTERNAL", `no wrapping choice for ${keySpec}`);
    guard = guardFlow({
      flow: "renew",
      command: "keyplane expiry renew",
      journalFile: options.journal,
      escrowDir: flags.escrowDir,
    });
    const active = guard;
    const offline = await journaledSteps(options, options.journal);
    const result = await runMaterialFlow(
      client,
      offline,
      {
        flow: "renew",
        key: keyArn,
        material: {
          kind: "escrow",
          from: flags.share ? { shareFiles: flags.share } : { dir: flags.escrowDir ?? "" },
        },
        wrappingAlgorithm: choice.algorithm,
        wrappingKeySpec: choice.wrappingKeySpec,
        expiry,
        importType: "existing",
        rotate: false,
        // Passphrase files first (pipelines); at a terminal, each sealed share's custodian types theirs.
        passphrase: async ({ index }) =>
          filePassphrases[index - 1] ??
          (ask.interactive
            ? await ask.secret(
                "--passphrase-file",
                `Passphrase of escrow share ${index} (empty: skip this share)`,
              )
            : undefined),
      },
      (step) => active.at(step, keyArn),
    );
    const summary = {
      keyArn,
      checkValue: result.checkValue,
      validTo: result.validTo,
      expirationModel: result.validTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE",
      verified: result.verified,
      observedAt: serverNow(client).toISOString(),
    };
    if (options.output === "json") process.stdout.write(renderJson(summary));
    else {
      process.stdout.write(
        `renewed ${flags.key}: check value ${summary.checkValue}, expires ${summary.validTo ?? "never"}, verified by ${summary.verified}\n`,
      );
    }
  } finally {
    guard?.release();
    client.destroy();
  }
}

/**
 * `--passphrase-file` i belongs to `--share` i; recovery looks passphrases up by the share's own index
 * (passphrases[0] for share 1), read from each share file's header.
 */
function passphrasesByShareIndex(shares: readonly string[], files: readonly string[]): string[] {
  if (files.length === 0) return [];
  if (files.length !== shares.length) {
    throw usageError("--passphrase-file: give one per --share, in the same order");
  }
  const byIndex: string[] = [];
  shares.forEach((share, i) => {
    const header = parseShareFile(
      readInputFile(share, { field: "--share", kind: "share" }).toString("utf8"),
      share,
    );
    byIndex[header.index - 1] =
      readInputFile(files[i] ?? "", { field: "--passphrase-file", kind: "passphrase" })
        .toString("utf8")
        .split("\n", 1)[0] ?? "";
  });
  return Array.from(byIndex, (passphrase) => passphrase ?? "");
}

/** Whether any key of `regions` carries keyplane:plan=`plan` (the scan above reads EXTERNAL keys only). */
async function planHasKeys(
  options: GlobalOptions,
  regions: readonly string[],
  plan: string,
): Promise<boolean> {
  const limiter = fleetLimiter();
  const found = await Promise.all(
    regions.map(async (region) => {
      const client = fleetClient(options, region);
      try {
        return (await listKeys(client, { limiter, region })).some((key) => key.tags.plan === plan);
      } finally {
        client.destroy();
      }
    }),
  );
  return found.some(Boolean);
}
