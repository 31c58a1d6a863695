/**
 * Verifying an air-gapped import, where the material never comes online: only its check value does (from
 * the wrap record). Where KMS can show a value derived from the material, it is compared: HMAC keys
 * (GenerateMac of the zero block is the HMAC check value) and asymmetric keys (GetPublicKey's SHA-256). KMS
 * shows nothing derived from an AES key, so a symmetric key is proven usable by a round trip, and its check
 * value is the offline record's, said as such.
 */
import { createHash } from "node:crypto";
import { GenerateMacCommand, GetPublicKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import { KeyplaneError } from "../errors";
import { kmsCall } from "../kms/aws-error";
import { KEY_SPEC_INFO, type KeySpec } from "../vocabulary/key-specs";
import { assertEnabledAfterImport, MAC_ALGORITHM, roundTrip, type VerifyResult } from "./verify";

export interface CheckValueVerification extends VerifyResult {
  /** The material's check value, or null when neither KMS nor a record gives one. */
  checkValue: string | null;
  /** `kms`: derived from what KMS answered (and equal to the record, if any); `record`: the wrap record's. */
  checkValueSource: "kms" | "record" | null;
}

export interface CheckValueRequest {
  keyArn: string;
  keySpec: KeySpec;
  /** The check value the wrap record carries, if the wrapped file came with one. */
  recorded?: string;
  /** Imported as new material of a key with current material: KMS uses it only after the rotation. */
  pendingRotation?: boolean;
}

const CHECK_BYTES = 3;

export async function verifyByCheckValue(
  client: KMSClient,
  request: CheckValueRequest,
): Promise<CheckValueVerification> {
  const { keyArn, keySpec } = request;
  const { keyState } = await assertEnabledAfterImport(client, keyArn);
  const recorded = request.recorded ?? null;
  const family = KEY_SPEC_INFO[keySpec].family;
  if (family === "symmetric" || request.pendingRotation) {
    const check =
      family === "symmetric" ? await roundTrip(client, keyArn, request) : ("pending-rotation" as const);
    return { keyArn, keyState, check, checkValue: recorded, checkValueSource: recorded ? "record" : null };
  }
  const fromKms =
    family === "hmac"
      ? await macCheckValue(client, keyArn, keySpec)
      : await publicKeyCheckValue(client, keyArn);
  if (recorded !== null && recorded.toLowerCase() !== fromKms.value.toLowerCase()) {
    throw new KeyplaneError(
      "INTEGRITY",
      `verify ${keyArn}: KMS holds material with check value ${fromKms.value}; the wrap record says ${recorded}`,
      { hint: "the wrapped file is not the material on the paper record" },
    );
  }
  return { keyArn, keyState, check: fromKms.check, checkValue: fromKms.value, checkValueSource: "kms" };
}

/** HMAC of one zero block by KMS, first 3 bytes: the HMAC check value of the material KMS holds. */
async function macCheckValue(
  client: KMSClient,
  keyArn: string,
  keySpec: KeySpec,
): Promise<{ value: string; check: "generate-mac" }> {
  const hash = KEY_SPEC_INFO[keySpec].hash ?? "sha256";
  const output = await kmsCall(`GenerateMac ${keyArn}`, () =>
    client.send(
      new GenerateMacCommand({ KeyId: keyArn, Message: Buffer.alloc(16), MacAlgorithm: MAC_ALGORITHM[hash] }),
    ),
  );
  const mac = Buffer.from(output.Mac ?? new Uint8Array());
  return { value: mac.subarray(0, CHECK_BYTES).toString("hex").toUpperCase(), check: "generate-mac" };
}

async function publicKeyCheckValue(
  client: KMSClient,
  keyArn: string,
): Promise<{ value: string; check: "public-key" }> {
  const output = await kmsCall(`GetPublicKey ${keyArn}`, () =>
    client.send(new GetPublicKeyCommand({ KeyId: keyArn })),
  );
  const spki = Buffer.from(output.PublicKey ?? new Uint8Array());
  return { value: createHash("sha256").update(spki).digest("hex"), check: "public-key" };
}
