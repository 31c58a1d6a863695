import type { Context } from "./context";
import type { Output } from "./protocol";

/** The operations GetKeyLastUsage reports (KeyLastUsageTrackingOperation in AWS's service model). */
const TRACKED: ReadonlySet<string> = new Set([
  "Decrypt",
  "DeriveSharedSecret",
  "Encrypt",
  "GenerateDataKey",
  "GenerateDataKeyPair",
  "GenerateDataKeyPairWithoutPlaintext",
  "GenerateDataKeyWithoutPlaintext",
  "GenerateMac",
  "ReEncrypt",
  "Sign",
  "Verify",
  "VerifyMac",
]);

/**
 * Records a successful cryptographic operation on the keys it used (ReEncrypt uses two). Kept in memory and
 * written with the next change of state: last usage is a hint, and a state write per Encrypt would make the
 * sandbox's cryptography as slow as its disk.
 */
export function recordLastUsage(
  context: Context,
  operation: string,
  output: Output,
  requestId: string,
): void {
  if (!TRACKED.has(operation)) return;
  for (const arn of [output.KeyId, output.SourceKeyId]) {
    const key = typeof arn === "string" ? context.store.keys.get(arn) : undefined;
    if (key) key.lastUsage = { operation, timestamp: context.now, requestId };
  }
}
