import { createHash } from "node:crypto";
import { ImportKeyMaterialCommand, type ImportType, type KMSClient } from "@aws-sdk/client-kms";
import { KeyplaneError } from "../errors";
import { awsErrorName, fromAwsError, wasRetried } from "../kms/aws-error";
import { serverNow } from "../kms/server-time";
import { KEY_SPEC_INFO, type KeySpec } from "../vocabulary/key-specs";
import type { WrappingAlgorithm, WrappingKeySpec } from "../vocabulary/wrapping";
import { type ExpiryFields, expiryFields, type MaterialExpiry } from "./expiry-option";
import { fetchParameters, type ImportParameters } from "./parameters";

export type ImportKind = "new" | "existing";

export const IMPORT_TYPES: Readonly<Record<ImportKind, ImportType>> = {
  new: "NEW_KEY_MATERIAL",
  existing: "EXISTING_KEY_MATERIAL",
};

export interface ImportRequest {
  keyArn: string;
  keySpec: KeySpec;
  /** The token from the same GetParametersForImport as the public key the material was wrapped under. */
  importToken: Buffer;
  /** Wrapped material: exactly the bytes ImportKeyMaterial takes. */
  wrapped: Buffer;
  expiry: MaterialExpiry;
  /** new: first material, or new material for an on-demand rotation; existing: re-import the same. */
  importType?: ImportKind;
  description?: string;
  /**
   * Given, an expired import token is refetched with these choices and the material wrapped again, once.
   * Without it (the air-gapped path, where the material is not here) the expired token is reported.
   */
  refetch?: {
    wrappingAlgorithm: WrappingAlgorithm;
    wrappingKeySpec: WrappingKeySpec;
    rewrap: (fresh: ImportParameters) => Promise<Buffer> | Buffer;
  };
  /**
   * Given, a NEW_KEY_MATERIAL import that KMS refuses after the SDK retried it (KMS carried out an earlier
   * attempt whose answer was lost) is recognised: a material id that `materialIds` lists now and
   * `materialsBefore` did not is the one this import brought.
   */
  afterLostAnswer?: {
    materialsBefore: readonly string[];
    materialIds: () => Promise<readonly string[]>;
  };
}

export interface ImportResult {
  keyArn: string;
  keyMaterialId?: string;
  expiry: ExpiryFields;
  /** SHA-256 of the import token that worked, hex: the journal's record of it. */
  importTokenSha256: string;
  /** The fresh parameters, when the first token had expired and was refetched. */
  refetched?: ImportParameters;
  /** KMS's answer to the import was lost and the retry refused; the material id was read afterwards. */
  recordedAfterRetry?: true;
}

/**
 * ImportKeyMaterial with ExpirationModel/ValidTo, ImportType and KeyMaterialDescription. ImportType and
 * KeyMaterialDescription belong to the multi-material API of symmetric encryption keys (on-demand
 * rotation of imported keys, 2025); other key specs hold one material and take neither.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html
 */
export async function importMaterial(client: KMSClient, request: ImportRequest): Promise<ImportResult> {
  const { keySpec, keyArn } = request;
  const symmetric = KEY_SPEC_INFO[keySpec].family === "symmetric";
  if (!symmetric && request.description !== undefined) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `--description: KMS takes a key material description only for SYMMETRIC_DEFAULT keys, not ${keySpec}`,
    );
  }
  const expiry = expiryFields(request.expiry, serverNow(client));
  const attempt = async (importToken: Buffer, wrapped: Buffer, refetched?: ImportParameters) => {
    const output = await client.send(
      new ImportKeyMaterialCommand({
        KeyId: keyArn,
        ImportToken: importToken,
        EncryptedKeyMaterial: wrapped,
        ...expiry,
        ...(symmetric && request.importType ? { ImportType: IMPORT_TYPES[request.importType] } : {}),
        ...(symmetric && request.description !== undefined
          ? { KeyMaterialDescription: request.description }
          : {}),
      }),
    );
    const result: ImportResult = {
      keyArn: output.KeyId ?? keyArn,
      expiry,
      importTokenSha256: createHash("sha256").update(importToken).digest("hex"),
    };
    if (output.KeyMaterialId) result.keyMaterialId = output.KeyMaterialId;
    if (refetched) result.refetched = refetched;
    return result;
  };
  try {
    return await attempt(request.importToken, request.wrapped);
  } catch (error) {
    const lost = await importedOnEarlierAttempt(request, error);
    if (lost) {
      return {
        keyArn,
        keyMaterialId: lost,
        expiry,
        importTokenSha256: createHash("sha256").update(request.importToken).digest("hex"),
        recordedAfterRetry: true,
      };
    }
    if (awsErrorName(error) !== "ExpiredImportTokenException" || !request.refetch) {
      throw importError(error, keyArn, request.importType);
    }
  }
  // The token (and its public key) lasts 24 hours; a ceremony that took longer gets fresh ones, once.
  const { wrappingAlgorithm, wrappingKeySpec, rewrap } = request.refetch;
  const fresh = await fetchParameters(client, keyArn, keySpec, wrappingAlgorithm, wrappingKeySpec);
  const rewrapped = await rewrap(fresh);
  try {
    return await attempt(fresh.importToken, rewrapped, fresh);
  } catch (error) {
    throw importError(error, keyArn, request.importType);
  }
}

function importError(error: unknown, keyArn: string, importType: ImportKind | undefined): KeyplaneError {
  const translated = fromAwsError(error, `ImportKeyMaterial ${keyArn}`);
  if (translated.awsName === "IncorrectKeyMaterialException") {
    // KMS answers this both for material that is not the key's (a re-import of other bytes) and for
    // material that is not valid for the key spec at all; keep KMS's own words and say which applies.
    const reason =
      importType === "existing"
        ? "the material is not the key's own (EXISTING_KEY_MATERIAL accepts only the same bytes back) or is not valid for its key spec"
        : "the material is not valid for the key's spec, or is material the key already had (import that as EXISTING_KEY_MATERIAL)";
    return new KeyplaneError("AWS", `ImportKeyMaterial ${keyArn}: IncorrectKeyMaterialException: ${reason}`, {
      awsName: "IncorrectKeyMaterialException",
      hint:
        importType === "existing"
          ? "re-import needs the original material: combine its escrow shares (keyplane expiry renew --escrow-dir DIR)"
          : "check the material file against the key spec",
      cause: error,
    });
  }
  return translated;
}

async function importedOnEarlierAttempt(request: ImportRequest, error: unknown): Promise<string | undefined> {
  const { afterLostAnswer } = request;
  if (!afterLostAnswer || request.importType !== "new" || !wasRetried(error)) return undefined;
  const now = await afterLostAnswer.materialIds();
  return now.find((id) => !afterLostAnswer.materialsBefore.includes(id));
}
