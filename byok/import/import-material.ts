import { createHash } from "node:crypto";
import { ImportKeyMaterialCommand, type ImportType, type KMSClient } from "@aws-sdk/client-kms";
import { KeyplaneError } from "../errors";
import { awsErrorName, fromAwsError } from "../kms/aws-error";
import { serverNow } from "../kms/server-time";
import { KEY_SPEC_INFO } from "../vocabulary/key-specs";
import { type ExpiryFields, expiryFields, type MaterialExpiry } from "./expiry-option";
import { fetchParameters, type ImportParameters } from "./parameters";

export type ImportKind = "new" | "existing";

export const IMPORT_TYPES: Readonly<Record<ImportKind, ImportType>> = {
  new: "NEW_KEY_MATERIAL",
  existing: "EXISTING_KEY_MATERIAL",
};

export interface ImportRequest {
  parameters: ImportParameters;
  /** Material wrapped under `parameters.publicKey`: exactly the bytes ImportKeyMaterial takes. */
  wrapped: Buffer;
  expiry: MaterialExpiry;
  /** new: first material, or new material for an on-demand rotation; existing: re-import the same. */
  importType?: ImportKind;
  description?: string;
  /**
   * Wraps the material again under fresh parameters. Given, an expired import token is refetched and the
   * import retried once; without it (the air-gapped path) the expired token is reported.
   */
  rewrap?: (fresh: ImportParameters) => Promise<Buffer> | Buffer;
}

export interface ImportResult {
  keyArn: string;
  keyMaterialId?: string;
  expiry: ExpiryFields;
  /** The parameters that finally worked (fresh ones when the token was refetched). */
  parameters: ImportParameters;
  /** SHA-256 of the import token used, hex: the journal's record of it. */
  importTokenSha256: string;
  tokenRefetched: boolean;
}

/**
 * ImportKeyMaterial with ExpirationModel/ValidTo, ImportType and KeyMaterialDescription. ImportType and
 * KeyMaterialDescription belong to the multi-material API of symmetric encryption keys (on-demand
 * rotation of imported keys, 2025); other key specs hold one material and take neither.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html
 */
export async function importMaterial(client: KMSClient, request: ImportRequest): Promise<ImportResult> {
  const { keySpec, keyArn } = request.parameters;
  const symmetric = KEY_SPEC_INFO[keySpec].family === "symmetric";
  if (!symmetric && request.description !== undefined) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `--description: KMS takes a key material description only for SYMMETRIC_DEFAULT keys, not ${keySpec}`,
    );
  }
  const expiry = expiryFields(request.expiry, serverNow(client));
  const attempt = async (parameters: ImportParameters, wrapped: Buffer) => {
    const output = await client.send(
      new ImportKeyMaterialCommand({
        KeyId: keyArn,
        ImportToken: parameters.importToken,
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
      parameters,
      importTokenSha256: createHash("sha256").update(parameters.importToken).digest("hex"),
      tokenRefetched: parameters !== request.parameters,
    };
    if (output.KeyMaterialId) result.keyMaterialId = output.KeyMaterialId;
    return result;
  };
  try {
    return await attempt(request.parameters, request.wrapped);
  } catch (error) {
    if (awsErrorName(error) !== "ExpiredImportTokenException" || !request.rewrap) {
      throw importError(error, keyArn);
    }
  }
  // The token (and its public key) lasts 24 hours; a ceremony that took longer gets fresh ones, once.
  const fresh = await fetchParameters(
    client,
    keyArn,
    keySpec,
    request.parameters.wrappingAlgorithm,
    request.parameters.wrappingKeySpec,
  );
  const rewrapped = await request.rewrap(fresh);
  try {
    return await attempt(fresh, rewrapped);
  } catch (error) {
    throw importError(error, keyArn);
  }
}

function importError(error: unknown, keyArn: string): KeyplaneError {
  const translated = fromAwsError(error, `ImportKeyMaterial ${keyArn}`);
  if (translated.awsName === "IncorrectKeyMaterialException") {
    return new KeyplaneError(
      "AWS",
      `ImportKeyMaterial ${keyArn}: IncorrectKeyMaterialException: this key already had different key material; KMS accepts only the original material back`,
      {
        awsName: "IncorrectKeyMaterialException",
        hint: "re-import needs the original material: combine its escrow shares (keyplane expiry renew --escrow-dir DIR)",
        cause: error,
      },
    );
  }
  return translated;
}
