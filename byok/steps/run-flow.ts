import { randomBytes } from "node:crypto";
import { type KMSClient, RotateKeyOnDemandCommand } from "@aws-sdk/client-kms";
import { KeyplaneError, usageError } from "../errors";
import { assertEscrowWritable, findSplit, quarantineSplit } from "../escrow/manifest";
import { expiryFields } from "../import/expiry-option";
import { importMaterial } from "../import/import-material";
import { getImportParameters } from "../import/parameters";
import { verifyImport } from "../import/verify";
import { kmsCall, wasRetried } from "../kms/aws-error";
import { serverNow } from "../kms/server-time";
import type { KeyMaterial } from "../material/key-material";
import type { OfflineBinding } from "../offline-binding";
import { KEY_SPEC_INFO, type KeySpec } from "../vocabulary/key-specs";
import { assertWrappingCombination } from "../vocabulary/wrapping";
import { type Cycle, unfinishedCycle } from "./cycle";
import { failpoint } from "./failpoint";
import type { FlowStep, MaterialFlowRequest, MaterialFlowResult, StepListener } from "./flow";
import { type MaterialObservation, observeMaterials } from "./kms-materials";

/** Key states a material flow may work on; the others (PendingDeletion, Unavailable, ...) are refused. */
const WORKABLE_STATES = new Set(["Enabled", "Disabled", "PendingImport"]);

/**
 * One material flow for one key: preflight -> (begin) -> escrow -> params -> wrap -> import -> rotate ->
 * verify -> complete. Write-ahead: the cycle's first record and the escrow (fsynced, with its manifest) come
 * before ImportKeyMaterial, so KMS never holds material that exists nowhere else.
 *
 * Resumable: the journal (the cycle's records), KMS (the key's material ids) and the escrow folder (the
 * split's manifest) are read once and tell which step comes next. A rerun finishes an interrupted cycle
 * with the material it escrowed (never fresh material), records an import or rotation KMS shows but the
 * journal lacks, and imports nothing twice. The caller holds the journal and escrow locks.
 */
export async function runMaterialFlow(
  client: KMSClient,
  ports: OfflineBinding,
  request: MaterialFlowRequest,
  onStep: StepListener = () => {},
): Promise<MaterialFlowResult> {
  let current: FlowStep = "preflight";
  let keyArn = request.key;
  let cycleId = "";
  let checkValue = "";
  const journal = async (step: string, fields: Record<string, string | number | boolean | null> = {}) => {
    await ports.journal({
      event: `${request.flow}.${step}`,
      outcome: "ok",
      keyArn,
      cycleId,
      checkValue,
      ...fields,
    });
    failpoint(step);
  };
  const step = async <T>(name: FlowStep, work: () => Promise<T>): Promise<T> => {
    current = name;
    onStep(name, "running");
    const value = await work();
    onStep(name, "done");
    return value;
  };
  let material: KeyMaterial | undefined;
  let ownsMaterial = false;
  try {
    const before = await step("preflight", () => preflight(client, ports, request));
    keyArn = before.metadata.Arn ?? request.key;
    const keySpec = before.metadata.KeySpec as KeySpec;
    const records = request.records ?? (await ports.journalRecords());
    let cycle = unfinishedCycle(records, keyArn);
    if (cycle && cycle.flow !== request.flow) {
      throw usageError(
        `${keyArn}: an earlier ${cycle.flow} (material ${cycle.checkValue}, cycle ${cycle.cycleId.slice(0, 8)}) did not finish`,
        `finish it by rerunning the ${cycle.flow} command that started it`,
      );
    }
    const resumed: FlowStep[] = [];
    if (cycle && !cycle.escrowed && request.escrow) {
      const dir = cycle.escrowDir ?? request.escrow.dir;
      if (findSplit(dir, cycle.cycleId)) {
        // Killed after the manifest and before its journal line: the escrow is complete, record it.
        checkValue = cycle.checkValue;
        cycleId = cycle.cycleId;
        await journal("escrow", { recordedAfterInterruption: true, escrowDir: dir });
        cycle = { ...cycle, escrowed: true };
        resumed.push("escrow");
      } else {
        // Killed before the split finished: nothing was imported (the import comes after the manifest).
        quarantineSplit(dir, keyArn, cycle.checkValue, cycle.cycleId);
        checkValue = cycle.checkValue;
        cycleId = cycle.cycleId;
        await journal("abandoned", {
          reason: "escrow interrupted before its manifest; nothing was imported",
        });
        cycle = undefined;
      }
    }
    ({ material, ownsMaterial } = await materialFor(ports, request, keyArn, keySpec, cycle));
    checkValue = material.checkValue;
    if (cycle) {
      cycleId = cycle.cycleId;
    } else {
      cycleId = randomBytes(16).toString("hex");
      if (before.pendingId && request.importType === "new") {
        throw new KeyplaneError(
          "INVALID_INPUT",
          `${keyArn}: material ${before.pendingId} is already pending rotation, and no journal record of this journal explains it`,
          { hint: "find who imported it; rotate to it with RotateKeyOnDemand or remove it, then rerun" },
        );
      }
      await journal("begin", {
        keySpec,
        importType: request.importType,
        escrowDir: request.escrow?.dir ?? null,
        materialsBefore: before.ids.join(","),
        ...request.beginFields,
      });
    }

    const escrowFiles: string[] = [];
    const escrow = request.escrow;
    if (!escrow) onStep("escrow", "skipped", "the material comes from escrow");
    else if (cycle?.escrowed) onStep("escrow", "skipped", "done in an earlier run");
    else {
      const held = material;
      await step("escrow", async () => {
        const written = await ports.escrow(held, { ...escrow, keyArn, ceremonyId: cycleId });
        failpoint("escrow-manifest");
        escrowFiles.push(...written.files);
        await journal("escrow", {
          shares: escrow.shares,
          threshold: escrow.threshold,
          escrowDir: escrow.dir,
        });
      });
    }

    let keyMaterialId = cycle?.keyMaterialId ?? null;
    let imported = cycle?.imported ?? false;
    if (cycle && !imported && request.importType === "new") {
      // Killed between ImportKeyMaterial and its journal line: KMS lists a material the cycle's start did
      // not. Only this run imports under this lock, and only escrowed material: it is the cycle's.
      const now = await observeMaterials(client, keyArn);
      const fresh = now.ids.filter((id) => !cycle?.materialsBefore.includes(id));
      if (fresh.length > 0) {
        keyMaterialId = fresh[0] ?? null;
        imported = true;
        await journal("import", { keyMaterialId, recordedAfterInterruption: true });
        resumed.push("import");
      }
    }
    let validTo: string | null = null;
    if (imported) {
      for (const skipped of ["params", "wrap", "import"] as const)
        onStep(skipped, "skipped", "done in an earlier run");
    } else {
      ({ keyMaterialId, validTo } = await importStep(
        client,
        ports,
        request,
        keyArn,
        material,
        step,
        journal,
        cycle?.materialsBefore ?? before.ids,
      ));
    }

    if (request.rotate) {
      if (cycle?.rotated) onStep("rotate", "skipped", "done in an earlier run");
      else {
        await step("rotate", async () => {
          const now = await observeMaterials(client, keyArn);
          if (keyMaterialId && now.currentId === keyMaterialId) {
            await journal("rotate", { keyMaterialId, recordedAfterInterruption: true });
            resumed.push("rotate");
            return;
          }
          if (!now.pendingId || (keyMaterialId && now.pendingId !== keyMaterialId)) {
            throw new KeyplaneError(
              "INTEGRITY",
              `${keyArn}: the imported material ${keyMaterialId ?? "?"} is not pending rotation (pending: ${now.pendingId ?? "none"})`,
            );
          }
          const pendingId = now.pendingId;
          try {
            await kmsCall(`RotateKeyOnDemand ${keyArn}`, () =>
              client.send(new RotateKeyOnDemandCommand({ KeyId: keyArn })),
            );
          } catch (error) {
            // The SDK retried after an answer was lost: KMS may have rotated on the first attempt and now
            // says there is nothing to rotate to. It did, if the material we imported is current.
            if (!wasRetried(error) || (await observeMaterials(client, keyArn)).currentId !== pendingId)
              throw error;
            failpoint("rotate-kms");
            await journal("rotate", { keyMaterialId: pendingId, recordedAfterRetry: true });
            return;
          }
          failpoint("rotate-kms");
          await journal("rotate", { keyMaterialId: pendingId });
        });
      }
    } else onStep("rotate", "skipped");

    const held = material;
    const verified = await step("verify", async () => {
      // Verification is asynchronous, so it works on a copy that is zeroed as soon as it is done.
      const copy = held.withBytes((bytes) => Buffer.from(bytes));
      try {
        const result = await verifyImport(client, {
          keyArn,
          keySpec,
          material: copy,
          pendingRotation: request.importType === "new" && !request.rotate && before.currentId !== null,
        });
        await journal("verify", { check: result.check, keyState: result.keyState });
        return result;
      } finally {
        copy.fill(0);
      }
    });
    const after = await step("journal", async () => {
      const described = await observeMaterials(client, keyArn);
      await journal("complete", {
        keyMaterialId: keyMaterialId ?? described.currentId,
        validTo: described.metadata.ValidTo?.toISOString() ?? null,
      });
      return described;
    });
    return {
      keyArn,
      checkValue,
      keyMaterialId: keyMaterialId ?? after.currentId,
      validTo: validTo ?? after.metadata.ValidTo?.toISOString() ?? null,
      verified: verified.check,
      escrowFiles,
      resumed,
      cycleId,
    };
  } catch (error) {
    onStep(current, "failed", error instanceof KeyplaneError ? error.oneLine() : String(error));
    if (cycleId) {
      await ports
        .journal({
          event: `${request.flow}.${current}`,
          outcome: "failed",
          keyArn,
          cycleId,
          checkValue,
          error: error instanceof KeyplaneError ? (error.awsName ?? error.code) : "unexpected",
        })
        .catch(() => undefined);
    }
    throw error;
  } finally {
    if (ownsMaterial) material?.dispose();
  }
}

/**
 * Everything that can fail before anything irreversible: the key (EXTERNAL, a workable state, the spec the
 * material has), the wrapping choice, the expiry against AWS's 365-day limit on KMS's clock, the share counts,
 * the escrow folder (created and write-tested), the journal (chain intact, appendable).
 */
async function preflight(
  client: KMSClient,
  ports: OfflineBinding,
  request: MaterialFlowRequest,
): Promise<MaterialObservation> {
  ports.assertJournalWritable();
  const observed = await observeMaterials(client, request.key);
  const { metadata } = observed;
  const name = metadata.Arn ?? request.key;
  if (metadata.Origin !== "EXTERNAL") {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${name}: origin is ${metadata.Origin ?? "unknown"}, not EXTERNAL`,
      {
        hint: "only keys created without key material (BYOK) take imported material",
      },
    );
  }
  if (!WORKABLE_STATES.has(metadata.KeyState ?? "")) {
    throw new KeyplaneError("INVALID_INPUT", `${name}: key state is ${metadata.KeyState ?? "unknown"}`, {
      hint: "material can be imported into Enabled, Disabled or PendingImport keys",
    });
  }
  const keySpec = metadata.KeySpec as KeySpec;
  if (!KEY_SPEC_INFO[keySpec])
    throw new KeyplaneError("INVALID_INPUT", `${name}: key spec ${keySpec} is not importable`);
  if (request.material.kind === "held" && request.material.material.keySpec !== keySpec) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${name}: key spec is ${keySpec}, the material is ${request.material.material.keySpec}`,
    );
  }
  if (request.rotate && KEY_SPEC_INFO[keySpec].family !== "symmetric") {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${name}: only symmetric encryption keys rotate to new material`,
    );
  }
  if (request.flow === "ceremony" && request.importType === "existing" && observed.ids.length === 0) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${name}: the key never had material; EXISTING_KEY_MATERIAL re-imports material it had`,
      { hint: "import its first material with --import-type new" },
    );
  }
  assertWrappingCombination(keySpec, request.wrappingAlgorithm, request.wrappingKeySpec);
  expiryFields(request.expiry, serverNow(client));
  const escrow = request.escrow;
  if (escrow) {
    if (!Number.isInteger(escrow.shares) || escrow.shares < 2 || escrow.shares > 255) {
      throw usageError(`--escrow-shares: expected a whole number from 2 to 255, got ${escrow.shares}`);
    }
    if (!Number.isInteger(escrow.threshold) || escrow.threshold < 2 || escrow.threshold > escrow.shares) {
      throw usageError(
        `--escrow-threshold: expected a whole number from 2 to ${escrow.shares} (the share count), got ${escrow.threshold}`,
      );
    }
    assertEscrowWritable(escrow.dir);
  }
  return observed;
}

/** The material of this run: the unfinished cycle's (held, or back from its escrow), or the request's. */
async function materialFor(
  ports: OfflineBinding,
  request: MaterialFlowRequest,
  keyArn: string,
  keySpec: KeySpec,
  cycle: Cycle | undefined,
): Promise<{ material: KeyMaterial; ownsMaterial: boolean }> {
  const input = request.material;
  if (cycle && input.kind === "held") {
    if (input.material.checkValue === cycle.checkValue)
      return { material: input.material, ownsMaterial: false };
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${keyArn}: an earlier ${cycle.flow} escrowed material ${cycle.checkValue} and did not finish; this material is ${input.material.checkValue}`,
      { hint: `rerun with the same material, or with --material generate to finish it from escrow` },
    );
  }
  if (cycle?.escrowed) {
    const dir = cycle.escrowDir ?? request.escrow?.dir;
    if (!dir)
      throw usageError(`${keyArn}: the unfinished cycle's escrow folder is unknown; give --escrow-dir`);
    const material = await ports.recover({
      keyArn,
      dir,
      ceremonyId: cycle.cycleId,
      expectedCheckValue: cycle.checkValue,
      ...(request.passphrase ? { passphrase: request.passphrase } : {}),
    });
    return { material, ownsMaterial: true };
  }
  if (input.kind === "held") return { material: input.material, ownsMaterial: false };
  if (input.kind === "escrow") {
    const material = await ports.recover({
      keyArn,
      ...input.from,
      ...(request.passphrase ? { passphrase: request.passphrase } : {}),
    });
    if (material.keySpec !== keySpec) {
      material.dispose();
      throw new KeyplaneError(
        "INTEGRITY",
        `${keyArn}: the escrowed material is ${material.keySpec}, the key ${keySpec}`,
      );
    }
    return { material, ownsMaterial: true };
  }
  return { material: ports.generate(keySpec), ownsMaterial: true };
}

type Step = <T>(name: FlowStep, work: () => Promise<T>) => Promise<T>;
type Journal = (step: string, fields?: Record<string, string | number | boolean | null>) => Promise<void>;

async function importStep(
  client: KMSClient,
  ports: OfflineBinding,
  request: MaterialFlowRequest,
  keyArn: string,
  material: KeyMaterial,
  step: Step,
  journal: Journal,
  materialsBefore: readonly string[],
): Promise<{ keyMaterialId: string | null; validTo: string | null }> {
  const parameters = await step("params", () =>
    getImportParameters(client, keyArn, request.wrappingAlgorithm, request.wrappingKeySpec),
  );
  const wrapped = await step("wrap", async () =>
    ports.wrap(material, parameters.publicKey, parameters.wrappingAlgorithm),
  );
  return step("import", async () => {
    try {
      const result = await importMaterial(client, {
        keyArn,
        keySpec: material.keySpec,
        importToken: parameters.importToken,
        wrapped,
        expiry: request.expiry,
        importType: request.importType,
        ...(request.description === undefined ? {} : { description: request.description }),
        refetch: {
          wrappingAlgorithm: request.wrappingAlgorithm,
          wrappingKeySpec: request.wrappingKeySpec,
          rewrap: (fresh) => ports.wrap(material, fresh.publicKey, fresh.wrappingAlgorithm),
        },
      });
      failpoint("import-kms");
      const validTo = result.expiry.ValidTo?.toISOString() ?? null;
      await journal("import", {
        wrappingAlgorithm: request.wrappingAlgorithm,
        wrappingKeySpec: request.wrappingKeySpec,
        publicKeySha256: result.refetched?.publicKeySha256 ?? parameters.publicKeySha256,
        importTokenSha256: result.importTokenSha256,
        keyMaterialId: result.keyMaterialId ?? null,
        expirationModel: result.expiry.ExpirationModel,
        validTo,
      });
      return { keyMaterialId: result.keyMaterialId ?? null, validTo };
    } catch (error) {
      const imported = await importedOnEarlierAttempt(client, request, keyArn, materialsBefore, error);
      if (!imported) throw error;
      failpoint("import-kms");
      await journal("import", {
        wrappingAlgorithm: request.wrappingAlgorithm,
        wrappingKeySpec: request.wrappingKeySpec,
        publicKeySha256: parameters.publicKeySha256,
        keyMaterialId: imported,
        recordedAfterRetry: true,
      });
      return { keyMaterialId: imported, validTo: null };
    } finally {
      parameters.importToken.fill(0);
      wrapped.fill(0);
    }
  });
}

/**
 * After a failed ImportKeyMaterial that the SDK had sent more than once: the material id KMS lists now and did
 * not before the cycle began, when there is one. KMS carried out an earlier attempt whose answer was lost and
 * refused the retry as a second import; only this run imports under the journal and escrow locks, so the new
 * material is this cycle's (verify proves it against the material held here).
 */
async function importedOnEarlierAttempt(
  client: KMSClient,
  request: MaterialFlowRequest,
  keyArn: string,
  materialsBefore: readonly string[],
  error: unknown,
): Promise<string | undefined> {
  if (request.importType !== "new" || !wasRetried(error)) return undefined;
  const now = await observeMaterials(client, keyArn);
  return now.ids.find((id) => !materialsBefore.includes(id));
}
