import type { KMSClient } from "@aws-sdk/client-kms";
import { KeyplaneError } from "../../byok/errors";
import { clientRegion, createKmsClient } from "../../byok/kms/client";
import { createLimiter, type Limiter } from "../../byok/kms/limiter";
import { parseRegionList } from "../../byok/vocabulary/regions";
import type { GlobalOptions } from "../global-options";

/** Requests in flight per command across all regions: well under KMS's lowest per-operation quotas. */
export const FLEET_CONCURRENCY = 16;

export function fleetLimiter(): Limiter {
  return createLimiter(FLEET_CONCURRENCY);
}

/** `--regions a,b` (checked as the flag was parsed) or the region the client resolves from flags, environment and profile. */
export async function fleetRegions(options: GlobalOptions, regions: string | undefined): Promise<string[]> {
  if (regions !== undefined) return parseRegionList(regions, "--regions");
  const client = createKmsClient(options);
  try {
    return [await clientRegion(client)];
  } finally {
    client.destroy();
  }
}

/**
 * `--plan NAME` that selects nothing is a mistake (a typo, the wrong region or account), not a fleet in
 * good health: exit 1 naming the plan and where it was looked for.
 */
export function planMatchesNoKey(plan: string, regions: readonly string[], what = "key"): KeyplaneError {
  return new KeyplaneError(
    "INVALID_INPUT",
    `--plan ${plan}: no ${what} is tagged keyplane:plan=${plan} in ${regions.join(", ")}`,
    { hint: "check the plan name, --regions and the account" },
  );
}

/** A client per region for fleet work: more attempts, so throttles slow the run instead of failing it. */
export function fleetClient(options: GlobalOptions, region: string): KMSClient {
  return createKmsClient({ ...options, region, maxAttempts: 12 });
}
