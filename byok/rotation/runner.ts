import {
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  type KMSClient,
  RotateKeyOnDemandCommand,
} from "@aws-sdk/client-kms";
import { KeyplaneError } from "../errors";
import { kmsCall } from "../kms/aws-error";
import { createLimiter } from "../kms/limiter";
import type { JournalRecord, OfflineBinding } from "../offline-binding";
import { unfinishedCycle } from "../steps/cycle";
import { runMaterialFlow } from "../steps/run-flow";
import type { KeySpec } from "../vocabulary/key-specs";
import { DAY_MS, MATERIAL_VALIDITY_DAYS, ROTATION_DAYS } from "../vocabulary/kms-limits";
import { wrappingChoices } from "../vocabulary/wrapping";
import type { RotationActionKind, RotationAssessment, RotationKeyFacts } from "./model";

/** One key to act on: the model's verdict and the facts it was made from. */
export interface RotationWork {
  facts: RotationKeyFacts;
  assessment: RotationAssessment;
  /** keyplane:material-validity-days: how long new imported material lives (at most 365 days). */
  validityDays?: number;
}

export type ActionOutcome = "planned" | "done" | "already-done" | "manual" | "none";

export interface ActionReport {
  keyArn: string;
  alias: string | null;
  action: RotationActionKind;
  detail: string;
  outcome: ActionOutcome;
  /** New imported material: its check value, for the custodians' paper record. */
  checkValue?: string;
  /** New imported material: the escrow share files written for it (to hand to the custodians). */
  escrowFiles?: string[];
}

export interface RotationApplyOptions {
  dryRun: boolean;
  /** Required when any action imports new material: it is escrowed before it is imported. */
  escrow?: { dir: string; shares: number; threshold: number };
  onAction?: (report: ActionReport) => void;
  /**
   * Keys worked on at once (default 1). Each key's steps stay in order; several keys in flight let a batch
   * run at the pace of KMS's import quotas instead of the sum of every call's latency.
   */
  concurrency?: number;
}

/**
 * Applies rotation actions one key at a time, journaled. Idempotent and resumable: KMS's own state decides
 * what is left (rotation already enabled with the period; new material already PENDING_ROTATION; already
 * rotated to it), and new material is escrowed before it is imported, so a run killed at any point is
 * finished by a rerun without a second import or rotation.
 */
export async function applyRotationActions(
  client: KMSClient,
  offline: OfflineBinding,
  work: readonly RotationWork[],
  options: RotationApplyOptions,
): Promise<ActionReport[]> {
  const importing = work.some((item) => item.assessment.action.kind === "import-and-rotate-on-demand");
  if (!options.dryRun && !options.escrow && importing) {
    throw new KeyplaneError("USAGE", "missing --escrow-dir", {
      hint: "new material for imported keys is escrowed before import, so it can be re-imported later",
    });
  }
  // Read once: a key's unfinished cycle can only be in records written before this run.
  const records = options.dryRun ? [] : await offline.journalRecords();
  const limiter = createLimiter(options.concurrency ?? 1);
  let failure: { error: unknown } | undefined;
  const reports = await Promise.all(
    work.map((item) =>
      limiter.run(async () => {
        // After a failure no further key is started; keys already in flight finish their steps.
        if (failure) return undefined;
        try {
          const report = await applyOne(client, offline, item, records, options);
          options.onAction?.(report);
          return report;
        } catch (error) {
          failure ??= { error };
          return undefined;
        }
      }),
    ),
  );
  if (failure) throw failure.error;
  return reports.filter((report): report is ActionReport => report !== undefined);
}

async function applyOne(
  client: KMSClient,
  offline: OfflineBinding,
  item: RotationWork,
  records: readonly JournalRecord[],
  options: RotationApplyOptions,
): Promise<ActionReport> {
  const { facts, assessment } = item;
  const { kind, description } = assessment.action;
  const keyArn = facts.keyArn;
  const report = (outcome: ActionOutcome): ActionReport => ({
    keyArn,
    alias: facts.aliases[0] ?? null,
    action: kind,
    detail: description,
    outcome,
  });
  const unfinished = unfinishedCycle(records, keyArn);
  if (unfinished?.flow === "rotation" && !options.dryRun) {
    // An interrupted run began a cycle for this key: finish it first, whatever the assessment says now
    // (a key rotated just before the kill looks "ok", yet its cycle still lacks its last records).
    await importAndRotate(client, offline, item, records, options);
    return {
      ...report("done"),
      detail: `finished the rotation an interrupted run began (${unfinished.checkValue})`,
    };
  }
  if (kind === "none") return report("none");
  if (kind === "fix-tags" || kind === "create-key-and-swap-alias") return report("manual");
  if (options.dryRun) return report("planned");
  if (kind === "enable-automatic-rotation") {
    const period = facts.rotationDays ?? ROTATION_DAYS.default;
    const status = await kmsCall(`GetKeyRotationStatus ${keyArn}`, () =>
      client.send(new GetKeyRotationStatusCommand({ KeyId: keyArn })),
    );
    if (status.KeyRotationEnabled && status.RotationPeriodInDays === period) return report("already-done");
    await kmsCall(`EnableKeyRotation ${keyArn}`, () =>
      client.send(new EnableKeyRotationCommand({ KeyId: keyArn, RotationPeriodInDays: period })),
    );
    await offline.journal({ event: "rotation.enable", outcome: "ok", keyArn, periodDays: period });
    return report("done");
  }
  if (facts.origin !== "EXTERNAL") {
    // A KMS-generated key that missed its automatic rotation: rotate it now (KMS makes the material).
    await kmsCall(`RotateKeyOnDemand ${keyArn}`, () =>
      client.send(new RotateKeyOnDemandCommand({ KeyId: keyArn })),
    );
    await offline.journal({ event: "rotation.rotate", outcome: "ok", keyArn });
    return report("done");
  }
  const { checkValue, escrowFiles } = await importAndRotate(client, offline, item, records, options);
  return { ...report("done"), checkValue, escrowFiles };
}

/**
 * New material for an imported symmetric key through the one material flow (byok/steps): escrowed and
 * journaled before import, imported as NEW_KEY_MATERIAL, rotated to, verified. An interrupted earlier run's
 * cycle is finished with its escrowed material.
 */
async function importAndRotate(
  client: KMSClient,
  offline: OfflineBinding,
  item: RotationWork,
  records: readonly JournalRecord[],
  options: RotationApplyOptions,
): Promise<{ checkValue: string; escrowFiles: string[] }> {
  const { keyArn } = item.facts;
  const keySpec = item.facts.keySpec as KeySpec;
  const escrow = options.escrow;
  if (!escrow) throw new KeyplaneError("USAGE", "missing --escrow-dir");
  // AWS's recommended wrapping for the key spec: the material never leaves this process here.
  const choice = wrappingChoices(keySpec)[0];
  if (!choice) throw new KeyplaneError("INTERNAL", `no wrapping choice for ${keySpec}`);
  const validityDays = Math.min(item.validityDays ?? MATERIAL_VALIDITY_DAYS.max, MATERIAL_VALIDITY_DAYS.max);
  const result = await runMaterialFlow(client, offline, {
    flow: "rotation",
    key: keyArn,
    material: { kind: "generate" },
    wrappingAlgorithm: choice.algorithm,
    wrappingKeySpec: choice.wrappingKeySpec,
    expiry: { kind: "expires-in", durationMs: validityDays * DAY_MS },
    importType: "new",
    rotate: true,
    escrow,
    description: "keyplane rotation",
    records,
  });
  return { checkValue: result.checkValue, escrowFiles: result.escrowFiles };
}
