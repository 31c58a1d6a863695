import { type KmsClientOptions, regionProvider } from "./client";
import { logAwsExchanges } from "./exchange-log";

/**
 * Who is calling, for the journal: the ARN STS's GetCallerIdentity answers for the same credentials,
 * region and profile as the KMS client. STS goes to `AWS_ENDPOINT_URL_STS` when set, else to the KMS
 * endpoint override when there is one (a keyplane sandbox answers both), else to AWS. A journal line
 * must not stop a ceremony, so a failure is recorded as what it is rather than thrown.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
export async function callerIdentity(options: KmsClientOptions = {}): Promise<string> {
  // Loaded only by journaled online commands: the STS client is not needed anywhere else.
  const { GetCallerIdentityCommand, STSClient } = await import("@aws-sdk/client-sts");
  const endpoint = process.env.AWS_ENDPOINT_URL_STS ? undefined : (options.endpointUrl ?? undefined);
  const client = new STSClient({
    region: regionProvider(options),
    maxAttempts: 3,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
  });
  logAwsExchanges(client, "sts");
  try {
    const { Arn } = await client.send(new GetCallerIdentityCommand({}));
    return Arn ?? "unknown (GetCallerIdentity answered no ARN)";
  } catch (error) {
    const name = error instanceof Error ? error.name : "error";
    return `unknown (GetCallerIdentity failed: ${name})`;
  } finally {
    client.destroy();
  }
}
