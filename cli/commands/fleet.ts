import type { KMSClient } from "@aws-sdk/client-kms";
import { usageError } from "../../byok/errors";
import { clientRegion, createKmsClient } from "../../byok/kms/client";
import { createLimiter, type Limiter } from "../../byok/kms/limiter";
import type { GlobalOptions } from "../global-options";

/** Requests in flight per command across all regions: well under KMS's lowest per-operation quotas. */
export const FLEET_CONCURRENCY = 16;

export function fleetLimiter(): Limiter {
  return createLimiter(FLEET_CONCURRENCY);
}

/** `--regions a,b` or the region the client resolves from flags, environment and profile. */
export async function fleetRegions(options: GlobalOptions, regions: string | undefined): Promise<string[]> {
  if (regions !== undefined) {
    const list = regions
      .split(",")
      .map((region) => region.trim())
      .filter(Boolean);
    for (const region of list) {
      if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
        throw usageError(`--regions: '${region}' is not a region name like us-east-1`);
      }
    }
    if (list.length === 0)
      throw usageError("--regions: expected a comma-separated list like us-east-1,eu-west-1");
    return [...new Set(list)];
  }
  const client = createKmsClient(options);
  try {
    return [await clientRegion(client)];
  } finally {
    client.destroy();
  }
}

/** A client per region for fleet work: more attempts, so throttles slow the run instead of failing it. */
export function fleetClient(options: GlobalOptions, region: string): KMSClient {
  return createKmsClient({ ...options, region, maxAttempts: 12 });
}
