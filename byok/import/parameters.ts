import { createHash } from "node:crypto";
import { GetParametersForImportCommand, type KeyMetadata, type KMSClient } from "@aws-sdk/client-kms";
import { KeyplaneError } from "../errors";
import { kmsCall } from "../kms/aws-error";
import { resolveKey } from "../kms/resolve-key";
import { isKeySpec, type KeySpec } from "../vocabulary/key-specs";
import {
  assertWrappingCombination,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from "../vocabulary/wrapping";

/** What GetParametersForImport hands out: a wrapping public key and a token bound to it, for 24 hours. */
export interface ImportParameters {
  keyArn: string;
  keySpec: KeySpec;
  wrappingAlgorithm: WrappingAlgorithm;
  wrappingKeySpec: WrappingKeySpec;
  /** DER SubjectPublicKeyInfo of the wrapping key. */
  publicKey: Buffer;
  /** SHA-256 of `publicKey`, hex: what custodians compare and the journal records. */
  publicKeySha256: string;
  /** Opaque; never logged. The journal keeps only its SHA-256. */
  importToken: Buffer;
  parametersValidTo: Date;
}

/** An EXTERNAL key's metadata, checked: import applies only to keys created without material. */
export function assertExternalKey(metadata: KeyMetadata, reference: string): KeySpec {
  if (metadata.Origin !== "EXTERNAL") {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `${reference}: key origin is ${metadata.Origin ?? "unknown"}, not EXTERNAL; only keys created without key material take imported material`,
      { hint: "create the key with origin EXTERNAL (classification with origin: external in the key plan)" },
    );
  }
  const spec = metadata.KeySpec ?? "";
  if (!isKeySpec(spec)) {
    throw new KeyplaneError("INVALID_INPUT", `${reference}: key spec ${spec} cannot take imported material`);
  }
  return spec;
}

/**
 * GetParametersForImport for an EXTERNAL key. The public key and token expire together after 24 hours
 * (ParametersValidTo); a token only works with material wrapped under its own public key.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html
 */
export async function getImportParameters(
  client: KMSClient,
  reference: string,
  wrappingAlgorithm: WrappingAlgorithm,
  wrappingKeySpec: WrappingKeySpec,
): Promise<ImportParameters> {
  const metadata = await resolveKey(client, reference);
  const keySpec = assertExternalKey(metadata, reference);
  assertWrappingCombination(keySpec, wrappingAlgorithm, wrappingKeySpec);
  return fetchParameters(client, metadata.Arn ?? reference, keySpec, wrappingAlgorithm, wrappingKeySpec);
}

/** The call itself, for a key already known to be EXTERNAL (the import retry refetches through it). */
export async function fetchParameters(
  client: KMSClient,
  keyArn: string,
  keySpec: KeySpec,
  wrappingAlgorithm: WrappingAlgorithm,
  wrappingKeySpec: WrappingKeySpec,
): Promise<ImportParameters> {
  const output = await kmsCall(`GetParametersForImport ${keyArn}`, () =>
    client.send(
      new GetParametersForImportCommand({
        KeyId: keyArn,
        WrappingAlgorithm: wrappingAlgorithm,
        WrappingKeySpec: wrappingKeySpec,
      }),
    ),
  );
  if (!output.PublicKey || !output.ImportToken || !output.ParametersValidTo) {
    throw new KeyplaneError("AWS", `GetParametersForImport ${keyArn}: incomplete answer from KMS`);
  }
  const publicKey = Buffer.from(output.PublicKey);
  return {
    keyArn: output.KeyId ?? keyArn,
    keySpec,
    wrappingAlgorithm,
    wrappingKeySpec,
    publicKey,
    publicKeySha256: createHash("sha256").update(publicKey).digest("hex"),
    importToken: Buffer.from(output.ImportToken),
    parametersValidTo: output.ParametersValidTo,
  };
}
