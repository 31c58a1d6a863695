import type { Command } from "commander";
import { KeyplaneError, usageError } from "../../byok/errors";
import type { ImportKind } from "../../byok/import/import-material";
import type { KeySpec } from "../../byok/vocabulary/key-specs";
import type { WrappingAlgorithm, WrappingKeySpec } from "../../byok/vocabulary/wrapping";
import type { WrapRecord } from "../../byok/wrap/wrap-record";
import {
  expiresInOption,
  importTypeOption,
  inputFileOption,
  keyOption,
  outputDirOption,
  validToOption,
  wrappingAlgorithmOption,
  wrappingKeySpecOption,
} from "../flags";
import { globalOptions } from "../global-options";
import { describeVerification, renderJson, say } from "../output";
import { registerCeremony } from "./byok-ceremony";

interface ParamsFlags {
  key: string;
  wrappingAlgorithm: WrappingAlgorithm;
  wrappingKeySpec: WrappingKeySpec;
  outDir: string;
}

interface ImportFlags {
  key: string;
  importToken: string;
  wrapped: string;
  expiresIn?: string;
  validTo?: string;
  expiry?: boolean;
  importType?: ImportKind;
  description?: string;
}

/** params, import, ceremony: the steps that talk to KMS. */
export function registerByokOnline(byok: Command): void {
  byok
    .command("params")
    .description("fetch import parameters (wrapping public key + import token) for an EXTERNAL key")
    .addOption(keyOption().makeOptionMandatory())
    .addOption(wrappingAlgorithmOption().makeOptionMandatory())
    .addOption(wrappingKeySpecOption().makeOptionMandatory())
    .addOption(
      outputDirOption(
        "--out-dir <dir>",
        "write WrappingPublicKey.der, ImportToken.bin (0600) and params.json here",
      ).makeOptionMandatory(),
    )
    .action(async (flags: ParamsFlags, command: Command) => {
      const options = globalOptions(command);
      const { key, wrappingAlgorithm: algorithm, wrappingKeySpec: spec, outDir } = flags;
      const { createKmsClient } = await import("../../byok/kms/client");
      const { getImportParameters, paramsJson, writeParamsFiles } = await import("../../byok/import/index");
      const client = createKmsClient(options);
      try {
        const parameters = await getImportParameters(client, key, algorithm, spec);
        try {
          const files = writeParamsFiles(outDir, parameters);
          const summary = { ...paramsJson(parameters), files };
          if (options.output === "json") process.stdout.write(renderJson(summary));
          else {
            process.stdout.write(
              [
                `key                 ${summary.keyArn}`,
                `key spec            ${summary.keySpec}`,
                `wrapping            ${summary.wrappingAlgorithm} / ${summary.wrappingKeySpec}`,
                `public key SHA-256  ${summary.publicKeySha256}`,
                `valid until         ${summary.parametersValidTo}`,
                `files               ${Object.values(files).join(", ")}`,
                "",
              ].join("\n"),
            );
          }
          say(
            "Wrap the material offline with `keyplane byok wrap`, then run `keyplane byok import` within 24 hours.",
          );
        } finally {
          parameters.importToken.fill(0);
        }
      } finally {
        client.destroy();
      }
    });

  byok
    .command("import")
    .description("import wrapped key material (from `byok wrap`) with its import token")
    .addOption(keyOption().makeOptionMandatory())
    .addOption(
      inputFileOption(
        "--import-token <file>",
        "ImportToken.bin from `byok params`",
        "importFile",
      ).makeOptionMandatory(),
    )
    .addOption(
      inputFileOption(
        "--wrapped <file>",
        "wrapped material from `byok wrap` (EncryptedKeyMaterial.bin); its FILE.json record is read when present",
        "importFile",
      ).makeOptionMandatory(),
    )
    .addOption(expiresInOption("material expires this long after import, e.g. 180d (at most 365d)"))
    .addOption(validToOption())
    .option("--no-expiry", "material never expires")
    .addOption(importTypeOption())
    .option("--description <text>", "key material description (symmetric keys)")
    .action(async (flags: ImportFlags, command: Command) => {
      const options = globalOptions(command);
      const { key, importToken: tokenFile, wrapped: wrappedFile, importType } = flags;
      const { materialExpiryFromFlags } = await import("../../byok/import/expiry-option");
      const expiry = materialExpiryFromFlags({
        expiresIn: flags.expiresIn,
        validTo: flags.validTo,
        noExpiry: flags.expiry === false,
      });
      if (!expiry) throw usageError("missing --expires-in, --valid-to or --no-expiry");
      const { createKmsClient } = await import("../../byok/kms/client");
      const { resolveKey } = await import("../../byok/kms/resolve-key");
      const { assertExternalKey, importMaterial } = await import("../../byok/import/index");
      const { readInputFile } = await import("../../byok/files/read-bounded");
      const importToken = readInputFile(tokenFile, { field: "--import-token", kind: "importFile" });
      const wrapped = readInputFile(wrappedFile, { field: "--wrapped", kind: "importFile" });
      const { readWrapRecord, wrapRecordPath } = await import("../../byok/wrap/wrap-record");
      const record = readWrapRecord(wrappedFile, wrapped);
      // The air-gapped import is the one irreversible step of its flow: the journal is locked and checked
      // before it, and its record follows it (escrow was made offline, before the wrap).
      const { guardFlow } = await import("../flow-guard");
      const guard = guardFlow({
        flow: "import",
        command: "keyplane byok import",
        journalFile: options.journal,
      });
      const { journaledSteps } = await import("../journal-binding");
      const client = createKmsClient(options);
      try {
        const ports = await journaledSteps(options, options.journal);
        ports.assertJournalWritable();
        const metadata = await resolveKey(client, key);
        const keySpec = assertExternalKey(metadata, key);
        const keyArn = metadata.Arn ?? key;
        if (record) assertRecordFits(record, wrapRecordPath(wrappedFile), keyArn, keySpec);
        const { observeMaterials } = await import("../../byok/steps/kms-materials");
        const materialsBefore = importType === "new" ? (await observeMaterials(client, keyArn)).ids : [];
        guard.at("import into KMS", keyArn);
        const result = await importMaterial(client, {
          keyArn,
          keySpec,
          importToken,
          wrapped,
          expiry,
          ...(importType ? { importType } : {}),
          ...(flags.description === undefined ? {} : { description: flags.description }),
          afterLostAnswer: {
            materialsBefore,
            materialIds: async () => (await observeMaterials(client, keyArn)).ids,
          },
        });
        await ports.journal({
          event: "import.import",
          ...(result.recordedAfterRetry ? { recordedAfterRetry: true } : {}),
          outcome: "ok",
          keyArn: result.keyArn,
          keyMaterialId: result.keyMaterialId ?? null,
          importTokenSha256: result.importTokenSha256,
          checkValue: record?.checkValue ?? null,
          expirationModel: result.expiry.ExpirationModel,
          validTo: result.expiry.ValidTo?.toISOString() ?? null,
        });
        const { verifyByCheckValue } = await import("../../byok/import/verify-check-value");
        const verified = await verifyByCheckValue(client, {
          keyArn: result.keyArn,
          keySpec,
          ...(record ? { recorded: record.checkValue } : {}),
          pendingRotation: importType === "new" && metadata.KeyState !== "PendingImport",
        });
        await ports.journal({
          event: "import.verify",
          outcome: "ok",
          keyArn: result.keyArn,
          check: verified.check,
          checkValue: verified.checkValue,
        });
        const summary = {
          keyArn: result.keyArn,
          keyMaterialId: result.keyMaterialId ?? null,
          expirationModel: result.expiry.ExpirationModel,
          validTo: result.expiry.ValidTo?.toISOString() ?? null,
          keyState: verified.keyState,
          importTokenSha256: result.importTokenSha256,
          checkValue: verified.checkValue,
          checkValueSource: verified.checkValueSource,
          verified: verified.check,
        };
        if (options.output === "json") process.stdout.write(renderJson(summary));
        else {
          const source =
            summary.checkValueSource === "record"
              ? " (from the wrap record: KMS shows nothing derived from an AES key)"
              : summary.checkValueSource === "kms"
                ? " (derived from what KMS holds)"
                : "";
          process.stdout.write(
            [
              `key          ${summary.keyArn}`,
              `key state    ${summary.keyState}`,
              `check value  ${summary.checkValue ?? `unknown (no ${wrapRecordPath(wrappedFile)})`}${source}`,
              `verified by  ${describeVerification(summary.verified)}`,
              `expires      ${summary.validTo ?? "never"}`,
              ...(summary.keyMaterialId ? [`material id  ${summary.keyMaterialId}`] : []),
              "",
            ].join("\n"),
          );
        }
      } finally {
        importToken.fill(0);
        guard.release();
        client.destroy();
      }
    });

  registerCeremony(byok);
}

/** A wrap record names the key and spec it was wrapped for: importing it elsewhere is refused first. */
function assertRecordFits(record: WrapRecord, path: string, keyArn: string, keySpec: KeySpec): void {
  if (record.keyArn !== null && record.keyArn !== keyArn) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `--wrapped: ${path} was wrapped for ${record.keyArn}, not ${keyArn}`,
      {
        hint: "import it into the key its params.json named",
      },
    );
  }
  if (record.keySpec !== keySpec) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `--wrapped: ${path} holds ${record.keySpec} material; ${keyArn} is ${keySpec}`,
    );
  }
}
