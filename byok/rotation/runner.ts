import {
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  type KMSClient,
  RotateKeyOnDemandCommand,
} from "@aws-sdk/client-kms";
import type { DisposableMaterial, JournalRecord, MaterialOffline } from "../ceremony/ports";
import { KeyplaneError } from "../errors";
import { importMaterial } from "../import/import-material";
import { getImportParameters } from "../import/parameters";
import { kmsCall } from "../kms/aws-error";
import { createLimiter } from "../kms/limiter";
import { listKeyRotations } from "../kms/list-rotations";
import type { KeySpec } from "../vocabulary/key-specs";
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

const DAY_MS = 86_400_000;

type JournalFields = { event: string } & Record<string, string | number | boolean | null | undefined>;

/**
 * Applies rotation actions one key at a time, journaled. Idempotent and resumable: KMS's own state decides
 * what is left (rotation already enabled with the period; new material already PENDING_ROTATION; already
 * rotated to it), and new material is escrowed before it is imported, so a run killed at any point is
 * finished by a rerun without a second import or rotation.
 */
export async function applyRotationActions(
  client: KMSClient,
  offline: MaterialOffline,
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
  offline: MaterialOffline,
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
  if (kind === "none") return report("none");
  if (kind === "fix-tags" || kind === "create-key-and-swap-alias") return report("manual");
  if (options.dryRun) return report("planned");
  if (kind === "enable-automatic-rotation") {
    const period = facts.rotationDays ?? 365;
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
  const done = await importAndRotate(client, offline, item, records, options);
  return report(done ? "done" : "already-done");
}

/** Returns false when a previous run had already finished the rotation. */
async function importAndRotate(
  client: KMSClient,
  offline: MaterialOffline,
  item: RotationWork,
  records: readonly JournalRecord[],
  options: RotationApplyOptions,
): Promise<boolean> {
  const { keyArn } = item.facts;
  const keySpec = item.facts.keySpec as KeySpec;
  const journal = (record: JournalFields) => offline.journal({ ...record, keyArn, outcome: "ok" });
  const unfinished = unfinishedCycle(records, keyArn);
  let materials = await listKeyRotations(client, keyArn, { includeMaterial: true });
  let pending = materials.find((entry) => entry.KeyMaterialState === "PENDING_ROTATION");

  if (
    unfinished?.materialId &&
    materials.some((m) => m.KeyMaterialId === unfinished.materialId && m.KeyMaterialState === "CURRENT")
  ) {
    // Killed after RotateKeyOnDemand and before its journal line: only the record is missing.
    await journal({
      event: "rotation.rotate",
      checkValue: unfinished.checkValue,
      keyMaterialId: unfinished.materialId,
    });
    return false;
  }
  let checkValue = unfinished?.checkValue ?? null;
  if (pending?.KeyMaterialId && unfinished && !unfinished.materialId) {
    // Killed after ImportKeyMaterial and before its journal line: the run imports only material it has
    // escrowed first, so the pending material is the escrowed one. The journal gets the missing record.
    await journal({
      event: "rotation.import",
      checkValue: unfinished.checkValue,
      keyMaterialId: pending.KeyMaterialId,
      recordedAfterInterruption: true,
    });
  }
  if (!pending) {
    const escrow = options.escrow;
    if (!escrow) throw new KeyplaneError("USAGE", "missing --escrow-dir");
    const material = unfinished
      ? await offline.recover({ keyArn, dir: escrow.dir, expectedCheckValue: unfinished.checkValue })
      : await freshEscrowedMaterial(offline, keySpec, keyArn, escrow, journal);
    checkValue = material.checkValue;
    try {
      // AWS's recommended wrapping for the key spec: the material never leaves this process here.
      const choice = wrappingChoices(keySpec)[0];
      if (!choice) throw new KeyplaneError("INTERNAL", `no wrapping choice for ${keySpec}`);
      const { algorithm } = choice;
      const parameters = await getImportParameters(client, keyArn, algorithm, choice.wrappingKeySpec);
      const wrapped = offline.wrap(material, parameters.publicKey, algorithm);
      const validityDays = Math.min(item.validityDays ?? 365, 365);
      const result = await importMaterial(client, {
        keyArn,
        keySpec,
        importToken: parameters.importToken,
        wrapped,
        expiry: { kind: "expires-in", durationMs: validityDays * DAY_MS },
        importType: "new",
        description: `keyplane rotation ${material.checkValue}`,
        refetch: {
          wrappingAlgorithm: algorithm,
          wrappingKeySpec: choice.wrappingKeySpec,
          rewrap: (fresh) => offline.wrap(material, fresh.publicKey, algorithm),
        },
      });
      parameters.importToken.fill(0);
      await journal({
        event: "rotation.import",
        checkValue: material.checkValue,
        keyMaterialId: result.keyMaterialId ?? null,
        importTokenSha256: result.importTokenSha256,
        validTo: result.expiry.ValidTo?.toISOString() ?? null,
      });
    } finally {
      material.dispose();
    }
    materials = await listKeyRotations(client, keyArn, { includeMaterial: true });
    pending = materials.find((entry) => entry.KeyMaterialState === "PENDING_ROTATION");
  }
  if (!pending?.KeyMaterialId) {
    throw new KeyplaneError("INTERNAL", `${keyArn}: no material is pending rotation after the import`);
  }
  await kmsCall(`RotateKeyOnDemand ${keyArn}`, () =>
    client.send(new RotateKeyOnDemandCommand({ KeyId: keyArn })),
  );
  await journal({
    event: "rotation.rotate",
    checkValue,
    keyMaterialId: pending.KeyMaterialId,
  });
  return true;
}

/** New material is written to escrow (and journaled) before KMS sees it: a crash cannot lose it. */
async function freshEscrowedMaterial(
  offline: MaterialOffline,
  keySpec: KeySpec,
  keyArn: string,
  escrow: { dir: string; shares: number; threshold: number },
  journal: (record: JournalFields) => Promise<void>,
): Promise<DisposableMaterial> {
  const material = offline.generate(keySpec);
  try {
    await offline.escrow(material, { keyArn, ...escrow });
    await journal({
      event: "rotation.escrow",
      checkValue: material.checkValue,
      shares: escrow.shares,
      threshold: escrow.threshold,
    });
    return material;
  } catch (error) {
    material.dispose();
    throw error;
  }
}

/** The newest rotation cycle of a key that the journal shows started (escrowed) and not finished (rotated). */
function unfinishedCycle(
  records: readonly JournalRecord[],
  keyArn: string,
): { checkValue: string; materialId?: string } | undefined {
  const mine = records.filter((record) => record.keyArn === keyArn && record.outcome === "ok");
  const lastEscrow = mine.map((record) => record.event).lastIndexOf("rotation.escrow");
  if (lastEscrow < 0) return undefined;
  const after = mine.slice(lastEscrow + 1);
  if (after.some((record) => record.event === "rotation.rotate")) return undefined;
  const checkValue = String(mine[lastEscrow]?.checkValue ?? "");
  const imported = after.find((record) => record.event === "rotation.import");
  return imported?.keyMaterialId
    ? { checkValue, materialId: String(imported.keyMaterialId) }
    : { checkValue };
}
