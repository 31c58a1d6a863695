import { KMSClient, type KMSClientConfig } from "@aws-sdk/client-kms";
import { parseEndpointUrl } from "./endpoint";
import { logAwsExchanges } from "./exchange-log";
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
 */
const SDK_LOGGER = {
  debug: () => {},
  info: () => {},
  warn: (message: unknown) => {
    if (String(message).includes("Multiple credential sources")) {
      process.stderr.write(
        "note: the profile's credentials are used; AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are ignored\n",
      );
    }
  },
  error: () => {},
};

/** Region used when neither the flag, the environment nor the profile names one. */
const FALLBACK_REGION = "us-east-1";

/**
 * The one way keyplane builds a KMS client. Adaptive retry mode adds client-side rate limiting on top of
 * exponential backoff, so a fleet scan slows down under ThrottlingException instead of failing.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export function createKmsClient(options: KmsClientOptions = {}): KMSClient {
  // The pinned SDK supports the Node 20 keyplane supports; its multi-line notice about future releases
  // would break the one-line stderr contract of the CLI. A user's explicit setting wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const profile = options.profile ?? process.env.AWS_PROFILE;
  if (profile) assertProfileDeclared(profile, options.profile ? "--profile" : "AWS_PROFILE");
  const config: KMSClientConfig = {
    retryMode: "adaptive",
    maxAttempts: options.maxAttempts ?? 8,
    region: regionProvider(options),
    logger: SDK_LOGGER,
  };
  if (options.profile) config.profile = options.profile;
  if (options.credentials) config.credentials = options.credentials;
  const fromEnvironment = process.env.AWS_ENDPOINT_URL_KMS;
  const endpoint =
    options.endpointUrl ??
    (fromEnvironment ? parseEndpointUrl(fromEnvironment, "AWS_ENDPOINT_URL_KMS") : undefined);
  if (endpoint) config.endpoint = endpoint;
  const client = new KMSClient(config);
  logAwsExchanges(client, "kms");
  trackServerTime(client, endpoint);
  paceToQuotas(client, endpoint, quotaScale(), options.quotaAccount);
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
