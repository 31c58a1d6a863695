import type { Command } from "commander";
import { usageError } from "../../byok/errors";
import type { ImportKind } from "../../byok/import/import-material";
import {
  isWrappingAlgorithm,
  isWrappingKeySpec,
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_SPECS,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from "../../byok/vocabulary/wrapping";
import { globalOptions } from "../global-options";
import { renderJson, say } from "../output";
import { registerCeremony } from "./byok-ceremony";

interface ParamsFlags {
  key?: string;
  wrappingAlgorithm?: string;
  wrappingKeySpec?: string;
  outDir?: string;
}

interface ImportFlags {
  key?: string;
  importToken?: string;
  wrapped?: string;
  expiresIn?: string;
  validTo?: string;
  expiry?: boolean;
  importType?: string;
  description?: string;
}

/** params, import, ceremony: the steps that talk to KMS. */
export function registerByokOnline(byok: Command): void {
  byok
    .command("params")
    .description("fetch import parameters (wrapping public key + import token) for an EXTERNAL key")
    .option("--key <key>", "key id, key ARN, alias name or alias ARN")
    .option("--wrapping-algorithm <alg>", `one of ${WRAPPING_ALGORITHMS.join(", ")}`)
    .option("--wrapping-key-spec <spec>", `one of ${WRAPPING_KEY_SPECS.join(", ")}`)
    .option("--out-dir <dir>", "write WrappingPublicKey.der, ImportToken.bin (0600) and params.json here")
    .action(async (flags: ParamsFlags, command: Command) => {
      const options = globalOptions(command);
      const key = requiredFlag(flags.key, "--key");
      const { assertKeyReference } = await import("../../byok/kms/resolve-key");
      assertKeyReference(key);
      const algorithm = wrappingAlgorithmFlag(requiredFlag(flags.wrappingAlgorithm, "--wrapping-algorithm"));
      const spec = wrappingKeySpecFlag(requiredFlag(flags.wrappingKeySpec, "--wrapping-key-spec"));
      const outDir = requiredFlag(flags.outDir, "--out-dir");
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
    .option("--key <key>", "key id, key ARN, alias name or alias ARN")
    .option("--import-token <file>", "ImportToken.bin from `byok params`")
    .option("--wrapped <file>", "wrapped material from `byok wrap` (EncryptedKeyMaterial.bin)")
    .option("--expires-in <duration>", "material expires this long after import, e.g. 180d (at most 365d)")
    .option("--valid-to <iso>", "material expires at this time (ISO 8601)")
    .option("--no-expiry", "material never expires")
    .option("--import-type <type>", "new (first or rotation material) or existing (re-import the same)")
    .option("--description <text>", "key material description (symmetric keys)")
    .action(async (flags: ImportFlags, command: Command) => {
      const options = globalOptions(command);
      const key = requiredFlag(flags.key, "--key");
      const { assertKeyReference } = await import("../../byok/kms/resolve-key");
      assertKeyReference(key);
      const tokenFile = requiredFlag(flags.importToken, "--import-token");
      const wrappedFile = requiredFlag(flags.wrapped, "--wrapped");
      const importType = importTypeFlag(flags.importType);
      const { materialExpiryFromFlags } = await import("../../byok/import/expiry-option");
      const expiry = materialExpiryFromFlags({
        expiresIn: flags.expiresIn,
        validTo: flags.validTo,
        noExpiry: flags.expiry === false,
      });
      if (!expiry) throw usageError("missing --expires-in, --valid-to or --no-expiry");
      const { createKmsClient } = await import("../../byok/kms/client");
      const { resolveKey } = await import("../../byok/kms/resolve-key");
      const { assertExternalKey, importMaterial, readFlagFile } = await import("../../byok/import/index");
      const importToken = readFlagFile(tokenFile, "--import-token");
      const wrapped = readFlagFile(wrappedFile, "--wrapped");
      const client = createKmsClient(options);
      try {
        const metadata = await resolveKey(client, key);
        const keySpec = assertExternalKey(metadata, key);
        const result = await importMaterial(client, {
          keyArn: metadata.Arn ?? key,
          keySpec,
          importToken,
          wrapped,
          expiry,
          ...(importType ? { importType } : {}),
          ...(flags.description === undefined ? {} : { description: flags.description }),
        });
        const after = await resolveKey(client, result.keyArn);
        const summary = {
          keyArn: result.keyArn,
          keyMaterialId: result.keyMaterialId ?? null,
          expirationModel: result.expiry.ExpirationModel,
          validTo: result.expiry.ValidTo?.toISOString() ?? null,
          keyState: after.KeyState ?? null,
          importTokenSha256: result.importTokenSha256,
        };
        if (options.output === "json") process.stdout.write(renderJson(summary));
        else {
          process.stdout.write(
            [
              `key          ${summary.keyArn}`,
              `key state    ${summary.keyState}`,
              `expires      ${summary.validTo ?? "never"}`,
              ...(summary.keyMaterialId ? [`material id  ${summary.keyMaterialId}`] : []),
              "",
            ].join("\n"),
          );
        }
      } finally {
        importToken.fill(0);
        client.destroy();
      }
    });

  registerCeremony(byok);
}

/** A flag the command cannot do without: exit 2 naming it (never a prompt here). */
export function requiredFlag(value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw usageError(`missing ${flag}`);
  return value;
}

export function wrappingAlgorithmFlag(value: string): WrappingAlgorithm {
  if (value === "RSAES_PKCS1_V1_5") {
    throw usageError(
      "--wrapping-algorithm: RSAES_PKCS1_V1_5 is no longer accepted by KMS",
      `use ${WRAPPING_ALGORITHMS.join(" or ")}`,
    );
  }
  if (!isWrappingAlgorithm(value)) {
    throw usageError(
      `--wrapping-algorithm: expected one of ${WRAPPING_ALGORITHMS.join(", ")}, got '${value}'`,
    );
  }
  return value;
}

export function wrappingKeySpecFlag(value: string): WrappingKeySpec {
  if (!isWrappingKeySpec(value)) {
    throw usageError(`--wrapping-key-spec: expected one of ${WRAPPING_KEY_SPECS.join(", ")}, got '${value}'`);
  }
  return value;
}

export function importTypeFlag(value: string | undefined): ImportKind | undefined {
  if (value === undefined) return undefined;
  if (value !== "new" && value !== "existing") {
    throw usageError(`--import-type: expected new or existing, got '${value}'`);
  }
  return value;
}

/** Share counts and thresholds: Shamir over GF(2^8) allows 1..255. */
export function countFlag(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 255) {
    throw usageError(`${flag}: expected a whole number from 1 to 255, got '${text}'`);
  }
  return Number(text);
}
