import type { KMSClient } from "@aws-sdk/client-kms";
import { KeyplaneError } from "../../byok/errors";
import { createLimiter } from "../../byok/kms/limiter";
import { type ListedKey, listKeys } from "../../byok/kms/list-keys";
import { serverNow } from "../../byok/kms/server-time";
import { DAY_MS } from "../../byok/vocabulary/durations";
import type { Ask, Choice } from "./ask";

/** Days of validity left under which a key is offered for a ceremony even though it is Enabled. */
const OFFER_WITHIN_DAYS = 30;

/** An EXTERNAL key worth a ceremony: waiting for material, or material expiring soon. */
export interface Candidate {
  keyArn: string;
  label: string;
  key: ListedKey;
}

export async function ceremonyCandidates(client: KMSClient, region: string): Promise<Candidate[]> {
  const keys = await listKeys(client, {
    limiter: createLimiter(8),
    region,
    where: (metadata) => metadata.Origin === "EXTERNAL",
  });
  const now = serverNow(client).getTime();
  return keys
    .map((key) => {
      const validTo = key.metadata.ValidTo?.getTime();
      const daysLeft = validTo === undefined ? undefined : Math.floor((validTo - now) / DAY_MS);
      return { key, daysLeft };
    })
    .filter(
      ({ key, daysLeft }) =>
        key.metadata.KeyState === "PendingImport" ||
        (daysLeft !== undefined && daysLeft <= OFFER_WITHIN_DAYS),
    )
    .map(({ key, daysLeft }) => {
      const name = key.aliases[0] ?? key.metadata.KeyId ?? "";
      const classification = key.tags.classification ?? "unclassified";
      const left = key.metadata.KeyState === "PendingImport" ? "PendingImport" : `${daysLeft} days left`;
      return {
        keyArn: key.metadata.Arn ?? "",
        label: `${name}  ${key.metadata.KeySpec}  ${classification}  ${left}`,
        key,
      };
    })
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** Lets the custodian pick the key from the candidates (interactive), or demands --key. */
export async function pickKey(ask: Ask, client: KMSClient, region: string): Promise<string> {
  if (!ask.interactive) return ask.input("--key", "key");
  const candidates = await ceremonyCandidates(client, region);
  if (candidates.length === 0) {
    throw new KeyplaneError(
      "INVALID_INPUT",
      `no EXTERNAL key in ${region} is waiting for material or expiring within ${OFFER_WITHIN_DAYS} days`,
      { hint: "name one with --key" },
    );
  }
  const choices: Choice<string>[] = candidates.map((candidate) => ({
    name: candidate.label,
    value: candidate.keyArn,
    description: candidate.keyArn,
  }));
  return ask.select("--key", "Which key receives material?", choices);
}
