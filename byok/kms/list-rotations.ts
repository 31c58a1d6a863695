import { type KMSClient, ListKeyRotationsCommand, type RotationsListEntry } from "@aws-sdk/client-kms";
import { kmsCall } from "./aws-error";

/**
 * Every entry of ListKeyRotations for a key, all pages. With `includeMaterial` (imported keys) KMS also
 * lists materials that were never rotated to: the current one and any PENDING_ROTATION.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html
 */
export async function listKeyRotations(
  client: KMSClient,
  keyArn: string,
  options: { includeMaterial: boolean },
): Promise<RotationsListEntry[]> {
  const entries: RotationsListEntry[] = [];
  let marker: string | undefined;
  do {
    const page = await kmsCall(`ListKeyRotations ${keyArn}`, () =>
      client.send(
        new ListKeyRotationsCommand({
          KeyId: keyArn,
          Marker: marker,
          ...(options.includeMaterial ? { IncludeKeyMaterial: "ALL_KEY_MATERIAL" as const } : {}),
        }),
      ),
    );
    entries.push(...(page.Rotations ?? []));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return entries;
}
