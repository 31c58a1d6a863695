import { DescribeKeyCommand, type KeyMetadata, type KMSClient } from "@aws-sdk/client-kms";
import { KeyplaneError } from "../errors";
import { kmsCall } from "./aws-error";
import { assertKeyReference } from "./key-reference";

export { assertKeyReference, type KeyReferenceKind, keyReferenceKind } from "./key-reference";

/** Resolves any of the four forms to the key's metadata (ARN, spec, origin, state, ...). */
export async function resolveKey(
  client: KMSClient,
  reference: string,
  field = "--key",
): Promise<KeyMetadata> {
  assertKeyReference(reference, field);
  const output = await kmsCall(`DescribeKey ${reference}`, () =>
    client.send(new DescribeKeyCommand({ KeyId: reference })),
  );
  if (!output.KeyMetadata?.Arn) {
    throw new KeyplaneError("AWS", `DescribeKey ${reference}: KMS returned no key metadata`);
  }
  return output.KeyMetadata;
}
