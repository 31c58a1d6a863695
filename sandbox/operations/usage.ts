import { type Context, findKey } from "../context";
import { type OperationTable, reads } from "../operation";
import { epochSeconds, type Input } from "../protocol";
import { requiredString } from "../validate";

/**
 * GetKeyLastUsage (2026): the last successful cryptographic operation on a key. The sandbox tracks from the
 * key's creation, so TrackingStartDate is its CreationDate; CloudTrailEventId is absent (no CloudTrail here).
 * Shape from AWS's service model (GetKeyLastUsageResponse, KeyLastUsageData).
 */
function getKeyLastUsage(context: Context, input: Input) {
  const key = findKey(context, requiredString(input, "KeyId", { max: 2048 }), { alias: false });
  const usage = key.lastUsage;
  return {
    KeyId: key.arn,
    KeyLastUsage: usage
      ? {
          Operation: usage.operation,
          Timestamp: epochSeconds(usage.timestamp),
          KmsRequestId: usage.requestId,
        }
      : {},
    TrackingStartDate: epochSeconds(key.createdAt),
    KeyCreationDate: epochSeconds(key.createdAt),
  };
}

export const usageOperations: OperationTable = {
  GetKeyLastUsage: reads(getKeyLastUsage),
};
