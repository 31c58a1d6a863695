/**
 * `keyplane audit` without `--regions`: every Region the account has enabled, from the AWS Account API's
 * `ListRegions` (`ENABLED` opt-in Regions and those `ENABLED_BY_DEFAULT`), asked with the account's own
 * credentials, as opt-in Regions differ between accounts. The Account API goes to AWS_ENDPOINT_URL_ACCOUNT
 * when set, else to the KMS endpoint override (a keyplane sandbox answers both), as STS does.
 * https://docs.aws.amazon.com/accounts/latest/reference/API_ListRegions.html
 */
import { fromAwsError } from "../kms/aws-error";
import { type KmsClientOptions, regionProvider } from "../kms/client";

export async function enabledRegions(options: KmsClientOptions): Promise<string[]> {
  // Loaded only when Regions are not given: no other command needs the Account client.
  const { AccountClient, paginateListRegions } = await import("@aws-sdk/client-account");
  const endpoint = process.env.AWS_ENDPOINT_URL_ACCOUNT ? undefined : options.endpointUrl;
  const client = new AccountClient({
    region: regionProvider(options),
    maxAttempts: 5,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(endpoint ? { endpoint } : {}),
  });
  const regions: string[] = [];
  try {
    const input = { RegionOptStatusContains: ["ENABLED" as const, "ENABLED_BY_DEFAULT" as const] };
    for await (const page of paginateListRegions({ client }, input)) {
      for (const region of page.Regions ?? []) if (region.RegionName) regions.push(region.RegionName);
    }
  } catch (error) {
    throw fromAwsError(error, "Account ListRegions");
  } finally {
    client.destroy();
  }
  return regions.sort();
}
