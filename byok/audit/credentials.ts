/**
 * Credentials in another account: STS AssumeRole with the caller's own credentials, renewed before they
 * expire (an audit of a large estate can outlast one session). STS goes to AWS_ENDPOINT_URL_STS when set,
 * else to the KMS endpoint override (a keyplane sandbox answers both), as for GetCallerIdentity (caller.ts).
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromAwsError } from "../kms/aws-error";
import { type KmsClientOptions, regionProvider } from "../kms/client";

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** Renew this long before the session ends. */
const RENEW_BEFORE_MS = 5 * 60_000;
const SESSION_SECONDS = 3600;

function stsClient(options: KmsClientOptions): STSClient {
  const endpoint = process.env.AWS_ENDPOINT_URL_STS ? undefined : options.endpointUrl;
  return new STSClient({
    region: regionProvider(options),
    maxAttempts: 5,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
  });
}

async function assumeRole(sts: STSClient, roleArn: string): Promise<TemporaryCredentials> {
  try {
    const output = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: "keyplane-audit",
        DurationSeconds: SESSION_SECONDS,
      }),
    );
    const credentials = output.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
      throw new Error("AssumeRole answered no credentials");
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration ?? new Date(Date.now() + SESSION_SECONDS * 1000),
    };
  } catch (error) {
    throw fromAwsError(error, `AssumeRole ${roleArn}`);
  }
}

/**
 * A credential provider for `roleArn`, and its first credentials already fetched: an account that refuses
 * the role is known before any of its Regions is read.
 */
export async function assumedRoleProvider(roleArn: string, options: KmsClientOptions): Promise<AssumedRole> {
  const sts = stsClient(options);
  let current: TemporaryCredentials;
  try {
    current = await assumeRole(sts, roleArn);
  } catch (error) {
    sts.destroy();
    throw error;
  }
  let renewing: Promise<TemporaryCredentials> | undefined;
  return {
    credentials: async () => {
      if (current.expiration.getTime() - Date.now() > RENEW_BEFORE_MS) return current;
      renewing ??= assumeRole(sts, roleArn).finally(() => {
        renewing = undefined;
      });
      current = await renewing;
      return current;
    },
    close: () => sts.destroy(),
  };
}

export interface AssumedRole {
  credentials: () => Promise<TemporaryCredentials>;
  close(): void;
}

/** The account of the caller's own credentials. */
export async function callerAccount(options: KmsClientOptions): Promise<string> {
  const sts = stsClient(options);
  try {
    const output = await sts.send(new GetCallerIdentityCommand({}));
    return output.Account ?? "unknown";
  } catch (error) {
    throw fromAwsError(error, "GetCallerIdentity");
  } finally {
    sts.destroy();
  }
}
