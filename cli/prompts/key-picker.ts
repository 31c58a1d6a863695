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
  const rows = keys
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
    .map(({ key, daysLeft }) => ({
      key,
      columns: [
        key.aliases[0] ?? key.metadata.KeyId ?? "",
        key.metadata.KeySpec ?? "",
        key.tags.classification ?? "unclassified",
        key.metadata.KeyState === "PendingImport" ? "PendingImport" : `${daysLeft} days left`,
      ],
    }))
    .sort((a, b) => a.columns.join(" ").localeCompare(b.columns.join(" ")));
  const labels = alignedColumns(rows.map((row) => row.columns));
  return rows.map((row, i) => ({ keyArn: row.key.metadata.Arn ?? "", label: labels[i] ?? "", key: row.key }));
}

/** Rows of cells as lines whose columns line up (two spaces apart), as a picker shows them. */
export function alignedColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
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
