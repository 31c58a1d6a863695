import type { KMSClient } from "@aws-sdk/client-kms";
import { KeyplaneError } from "../errors";
import type { MaterialExpiry } from "../import/expiry-option";
import { type ImportKind, type ImportResult, importMaterial } from "../import/import-material";
import { getImportParameters } from "../import/parameters";
import { type VerifyResult, verifyImport } from "../import/verify";
import { resolveKey } from "../kms/resolve-key";
import type { WrappingAlgorithm, WrappingKeySpec } from "../vocabulary/wrapping";
import { assertWrappingCombination } from "../vocabulary/wrapping";
import type { CeremonyMaterial, CeremonyOffline, EscrowRequest, JournalRecord } from "./ports";
import type { CeremonyStep, StepListener } from "./steps";

export interface CeremonyRequest {
  /** Key id, key ARN, alias name or alias ARN. */
  key: string;
  material: CeremonyMaterial;
  wrappingAlgorithm: WrappingAlgorithm;
  wrappingKeySpec: WrappingKeySpec;
  expiry: MaterialExpiry;
  importType?: ImportKind;
  description?: string;
  /** Skip steps an earlier run journaled as done (default). A renewal sets false: it must import again. */
  resume?: boolean;
  /** Where to escrow the material; absent when it comes from escrow (a renewal). */
  escrow?: Omit<EscrowRequest, "keyArn">;
}

export interface CeremonyResult {
  keyArn: string;
  checkValue: string;
  keyMaterialId: string | null;
  validTo: string | null;
  verified: VerifyResult["check"];
  escrowFiles: string[];
  /** Steps a rerun found already done and skipped. */
  resumed: CeremonyStep[];
}

/**
 * params -> wrap -> import -> verify -> escrow -> journal for one key. No prompts, no printing: progress
 * goes to `onStep`, every step is journaled, and a failing step leaves a journal record saying where it
 * stopped. Rerun with the same material and journal, it skips an import already done (KMS's key state and
 * the journal's KCV agree) and goes on from there.
 */
export async function runCeremony(
  client: KMSClient,
  offline: CeremonyOffline,
  request: CeremonyRequest,
  onStep: StepListener = () => {},
): Promise<CeremonyResult> {
  const { material } = request;
  let keyArn = request.key;
  let current: CeremonyStep = "params";
  const journal = (
    event: string,
    outcome: "ok" | "failed",
    fields: Omit<JournalRecord, "event" | "outcome" | "keyArn"> = {},
  ) =>
    offline.journal({
      event: `ceremony.${event}`,
      outcome,
      keyArn,
      checkValue: material.checkValue,
      ...fields,
    });
  const step = async <T>(name: CeremonyStep, work: () => Promise<T>): Promise<T> => {
    current = name;
    onStep(name, "running");
    const value = await work();
    onStep(name, "done");
    return value;
  };
  try {
    const metadata = await resolveKey(client, request.key);
    keyArn = metadata.Arn ?? request.key;
    if (metadata.KeySpec !== material.keySpec) {
      throw new KeyplaneError(
        "INVALID_INPUT",
        `${request.key}: key spec is ${metadata.KeySpec}, the material is ${material.keySpec}`,
      );
    }
    assertWrappingCombination(material.keySpec, request.wrappingAlgorithm, request.wrappingKeySpec);
    const resumed =
      request.resume === false
        ? []
        : await doneBefore(offline, keyArn, material.checkValue, metadata.KeyState);
    let imported: ImportResult | undefined;
    if (resumed.includes("import")) {
      for (const skipped of ["params", "wrap", "import"] as const)
        onStep(skipped, "skipped", "done in an earlier run");
    } else {
      const parameters = await step("params", async () => {
        const fetched = await getImportParameters(
          client,
          keyArn,
          request.wrappingAlgorithm,
          request.wrappingKeySpec,
        );
        await journal("params", "ok", {
          wrappingAlgorithm: fetched.wrappingAlgorithm,
          wrappingKeySpec: fetched.wrappingKeySpec,
          publicKeySha256: fetched.publicKeySha256,
          parametersValidTo: fetched.parametersValidTo.toISOString(),
        });
        return fetched;
      });
      const wrapped = await step("wrap", async () =>
        offline.wrap(material, parameters.publicKey, parameters.wrappingAlgorithm),
      );
      imported = await step("import", async () => {
        try {
          const result = await importMaterial(client, {
            keyArn,
            keySpec: material.keySpec,
            importToken: parameters.importToken,
            wrapped,
            expiry: request.expiry,
            ...(request.importType ? { importType: request.importType } : {}),
            ...(request.description === undefined ? {} : { description: request.description }),
            refetch: {
              wrappingAlgorithm: request.wrappingAlgorithm,
              wrappingKeySpec: request.wrappingKeySpec,
              rewrap: (fresh) => offline.wrap(material, fresh.publicKey, fresh.wrappingAlgorithm),
            },
          });
          await journal("import", "ok", {
            importTokenSha256: result.importTokenSha256,
            publicKeySha256: result.refetched?.publicKeySha256 ?? parameters.publicKeySha256,
            keyMaterialId: result.keyMaterialId ?? null,
            expirationModel: result.expiry.ExpirationModel,
            validTo: result.expiry.ValidTo?.toISOString() ?? null,
          });
          return result;
        } finally {
          parameters.importToken.fill(0);
          wrapped.fill(0);
        }
      });
    }
    const verified = await step("verify", async () => {
      // Verification is asynchronous, so it works on a copy that is zeroed as soon as it is done.
      const copy = material.withBytes((bytes) => Buffer.from(bytes));
      let result: VerifyResult;
      try {
        result = await verifyImport(client, { keyArn, keySpec: material.keySpec, material: copy });
      } finally {
        copy.fill(0);
      }
      await journal("verify", "ok", { check: result.check, keyState: result.keyState });
      return result;
    });
    let escrowFiles: string[] = [];
    const escrow = request.escrow;
    if (!escrow) onStep("escrow", "skipped", "the material came from escrow");
    else if (resumed.includes("escrow")) onStep("escrow", "skipped", "done in an earlier run");
    else {
      escrowFiles = await step("escrow", async () => {
        const files = await offline.escrow(material, { ...escrow, keyArn });
        await journal("escrow", "ok", { shares: escrow.shares, threshold: escrow.threshold });
        return files;
      });
    }
    await step("journal", () => journal("complete", "ok"));
    const described = await resolveKey(client, keyArn);
    return {
      keyArn,
      checkValue: material.checkValue,
      keyMaterialId: imported?.keyMaterialId ?? described.CurrentKeyMaterialId ?? null,
      validTo: described.ValidTo?.toISOString() ?? null,
      verified: verified.check,
      escrowFiles,
      resumed,
    };
  } catch (error) {
    onStep(current, "failed", error instanceof KeyplaneError ? error.oneLine() : String(error));
    await journal(current, "failed", {
      error: error instanceof KeyplaneError ? (error.awsName ?? error.code) : "unexpected",
    }).catch(() => undefined);
    throw error;
  }
}

/** Steps an earlier run of this material finished, per the journal and the key's state in KMS. */
async function doneBefore(
  offline: CeremonyOffline,
  keyArn: string,
  checkValue: string,
  keyState: string | undefined,
): Promise<CeremonyStep[]> {
  const records = (await offline.journalRecords()).filter(
    (record) => record.keyArn === keyArn && record.checkValue === checkValue && record.outcome === "ok",
  );
  const done: CeremonyStep[] = [];
  // The journal alone is not proof: the material must still be in KMS (not expired or deleted since).
  if (keyState === "Enabled" && records.some((record) => record.event === "ceremony.import"))
    done.push("import");
  if (records.some((record) => record.event === "ceremony.escrow")) done.push("escrow");
  return done;
}
