import { KMSClient, type KMSClientConfig } from "@aws-sdk/client-kms";
import { parseEndpointUrl } from "./endpoint";
import { paceToQuotas, quotaScale } from "./pacer";
import { assertProfileDeclared } from "./profile";
import { trackServerTime } from "./server-time";

export interface KmsClientOptions {
  region?: string;
  profile?: string;
  /** `--endpoint-url`; when absent the SDK reads AWS_ENDPOINT_URL_KMS itself. */
  endpointUrl?: string;
  /** Attempts per call including the first; fleet scans raise it so throttles never fail a run. */
  maxAttempts?: number;
  /** Credentials other than the default chain's (an audit's assumed role in another account). */
  credentials?: KMSClientConfig["credentials"];
  /** The account the credentials act in, when it is not the default's: quotas are per account and Region. */
  quotaAccount?: string;
}

/**
 * The SDK warns on the console, over several lines, when a profile and AWS_ACCESS_KEY_ID are both set (the
 * profile wins, as it does for the AWS CLI); the CLI's stderr keeps one line per message.
 *
 * `info` and `error` are left out on purpose: whenever a logger has them, the SDK's logger middleware walks
 * every request and response through their schemas to redact them for `info` (or the request for `error`),
 * even when the method then does nothing (a few per cent of a fleet scan's CPU). The SDK calls both optionally.
 */
const SDK_LOGGER = {
  debug: () => {},
  warn: (message: unknown) => {
    if (String(message).includes("Multiple credential sources")) {
      process.stderr.write(
        "note: the profile's credentials are used; AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are ignored\n",
      );
    }
  },
} as unknown as NonNullable<KMSClientConfig["logger"]>;

/** Region used when neither the flag, the environment nor the profile names one. */
const FALLBACK_REGION = "us-east-1";

/**
 * The one way keyplane builds a KMS client. Throttles are retried with exponential backoff (`maxAttempts`),
 * so a fleet scan slows down under ThrottlingException instead of failing.
 *
 * Retry mode: the SDK's "adaptive" mode adds one token bucket per client that every throttle shrinks, but
 * KMS's quotas are per operation and keyplane's pacer already holds each operation under its own quota. With
 * both, any throttle (another caller's, or a transient one) cut the whole scan's rate, not the throttled
 * operation's, and the bucket refilled slowly: 200 keys under 10 % injected throttles took 54-77 s adaptive
 * against 9 s standard (reliability report D16; `node bench/fleet-expiry.js 200 throttle:0.1,...`). So
 * "standard" while pacing, and "adaptive" only when pacing is off (KEYPLANE_KMS_QUOTA_SCALE=0).
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export function createKmsClient(options: KmsClientOptions = {}): KMSClient {
  // The pinned SDK supports the Node 20 keyplane supports; its multi-line notice about future releases
  // would break the one-line stderr contract of the CLI. A user's explicit setting wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const profile = options.profile ?? process.env.AWS_PROFILE;
  if (profile) assertProfileDeclared(profile, options.profile ? "--profile" : "AWS_PROFILE");
  const scale = quotaScale();
  const config: KMSClientConfig = {
    retryMode: scale === 0 ? "adaptive" : "standard",
    maxAttempts: options.maxAttempts ?? 8,
    region: regionProvider(options),
    logger: SDK_LOGGER,
    // Resolves each command's middleware once per client instead of on every send (the SDK rebuilds and
    // sorts the whole stack per call otherwise). keyplane adds its middleware (pacing, server time) before
    // the first call and never to single commands, which is what the cache requires.
    cacheMiddleware: true,
  };
  if (options.profile) config.profile = options.profile;
  if (options.credentials) config.credentials = options.credentials;
  const fromEnvironment = process.env.AWS_ENDPOINT_URL_KMS;
  const endpoint =
    options.endpointUrl ??
    (fromEnvironment ? parseEndpointUrl(fromEnvironment, "AWS_ENDPOINT_URL_KMS") : undefined);
  if (endpoint) config.endpoint = endpoint;
  const client = new KMSClient(config);
  trackServerTime(client, endpoint);
  paceToQuotas(client, endpoint, scale, options.quotaAccount);
  return client;
}

/** A region named by the flag or the environment (AWS_REGION, then AWS_DEFAULT_REGION), if any. */
function namedRegion(options: Pick<KmsClientOptions, "region">): string | undefined {
  return options.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined;
}

/**
 * The region: the flag, the environment, else the profile's (resolved by the SDK from the shared config
 * file, for `--profile` or AWS_PROFILE), else us-east-1. Resolved once, when the first call needs it.
 */
export function regionProvider(options: Pick<KmsClientOptions, "region" | "profile">): () => Promise<string> {
  let resolved: Promise<string> | undefined;
  return () => {
    resolved ??= (async () => {
      const named = namedRegion(options);
      if (named) return named;
      const probe = new KMSClient(options.profile ? { profile: options.profile } : {});
      try {
        return (await probe.config.region()) || FALLBACK_REGION;
      } catch {
        return FALLBACK_REGION;
      } finally {
        probe.destroy();
      }
    })();
    return resolved;
  };
}

/** The region a client talks to, resolved the way the SDK resolves it. */
export async function clientRegion(client: KMSClient): Promise<string> {
  return client.config.region();
}
