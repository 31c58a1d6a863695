import { KeyplaneError } from "../errors";

/** What to do next for the KMS exceptions a custodian or a runbook meets; AWS's name stays in the message. */
const HINTS: Readonly<Record<string, string>> = {
  NotFoundException: "check the key id, ARN or alias and the region",
  AccessDeniedException: "the caller's role needs this permission in the key policy or IAM",
  DisabledException: "enable the key first",
  KMSInvalidStateException: "the key is in a state that does not allow this; see `keyplane expiry`",
  ExpiredImportTokenException: "fetch new import parameters with `keyplane byok params` and wrap again",
  InvalidImportTokenException:
    "use the import token from the same `byok params` run as the public key the material was wrapped with",
  IncorrectKeyMaterialException:
    "re-import needs the original material: combine the escrow shares (`keyplane byok escrow combine`)",
  ThrottlingException: "KMS is throttling; retry later or lower the concurrency",
  LimitExceededException: "a KMS quota is reached",
  UnsupportedOperationException: "KMS does not support this for this kind of key",
  ValidationException: "a request field was rejected by KMS",
  InvalidArnException: "check the ARN",
};

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
}

/** AWS's exception name of an SDK error, or undefined when the error did not come from KMS. */
export function awsErrorName(error: unknown): string | undefined {
  if (error === null || typeof error !== "object" || !("$metadata" in error)) return undefined;
  const name = (error as SdkErrorShape).name;
  return typeof name === "string" ? name : undefined;
}

/**
 * Whether the SDK sent the failed call more than once: an earlier attempt may have been carried out by KMS
 * with its answer lost (a dropped connection, a timeout), so an error like "nothing pending to rotate to"
 * can mean "your first attempt did it". Looks through a KeyplaneError to the SDK error it wraps.
 */
export function wasRetried(error: unknown): boolean {
  const sdkError = error instanceof KeyplaneError ? error.cause : error;
  if (sdkError === null || typeof sdkError !== "object" || !("$metadata" in sdkError)) return false;
  const { attempts } = (sdkError as { $metadata: { attempts?: unknown } }).$metadata;
  return typeof attempts === "number" && attempts > 1;
}

/**
 * Turns an SDK error into a KeyplaneError that keeps AWS's exception name and says what to do next.
 * `what` names the operation and the key, e.g. "ImportKeyMaterial alias/acme/x".
 */
export function fromAwsError(error: unknown, what: string): KeyplaneError {
  if (error instanceof KeyplaneError) return error;
  const name = awsErrorName(error);
  const raw = error instanceof Error ? error.message : String(error);
  const message = (raw.split("\n", 1)[0] ?? "").trim();
  if (!name) {
    return new KeyplaneError("AWS", `${what}: ${message}`, {
      cause: error,
      hint: "check --endpoint-url, the network and credentials",
    });
  }
  const hint = HINTS[name];
  return new KeyplaneError("AWS", `${what}: ${name}: ${message}`, {
    awsName: name,
    cause: error,
    ...(hint === undefined ? {} : { hint }),
  });
}

/** Runs one KMS call and translates its failure. */
export async function kmsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw fromAwsError(error, what);
  }
}
