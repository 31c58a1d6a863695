/**
 * `keyplane audit --organization`: the ACTIVE accounts of the caller's AWS Organization (Organizations
 * `ListAccounts`, every page), each read through `--role-name`. Only the management account (or a delegated
 * administrator) may list them; AWS's AccessDeniedException is passed on with what to do instead.
 * Organizations goes to AWS_ENDPOINT_URL_ORGANIZATIONS when set, else to the KMS endpoint override (a keyplane
 * sandbox answers both), as STS does (credentials.ts).
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html
 */
import { KeyplaneError } from "../errors";
import { fromAwsError } from "../kms/aws-error";
import { type KmsClientOptions, regionProvider } from "../kms/client";
import type { AuditTarget } from "./accounts";

export async function organizationTargets(
  options: KmsClientOptions,
  roleName: string,
): Promise<AuditTarget[]> {
  // Loaded only for --organization: no other command needs the Organizations client.
  const { OrganizationsClient, paginateListAccounts } = await import("@aws-sdk/client-organizations");
  const endpoint = process.env.AWS_ENDPOINT_URL_ORGANIZATIONS ? undefined : options.endpointUrl;
  const client = new OrganizationsClient({
    region: regionProvider(options),
    maxAttempts: 5,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
  });
  const targets: AuditTarget[] = [];
  try {
    for await (const page of paginateListAccounts({ client }, {})) {
      for (const account of page.Accounts ?? []) {
        // `State` replaced `Status` (retired 2026-09-09); suspended or closing accounts cannot be read.
        const state = account.State ?? account.Status;
        if (account.Id && state === "ACTIVE") {
          const partition = account.Arn?.split(":")[1] ?? "aws";
          targets.push({
            account: account.Id,
            roleArn: `arn:${partition}:iam::${account.Id}:role/${roleName}`,
          });
        }
      }
    }
  } catch (error) {
    const failure = fromAwsError(error, "Organizations ListAccounts");
    if (failure.awsName !== "AccessDeniedException") throw failure;
    throw new KeyplaneError("AWS", failure.message, {
      awsName: failure.awsName,
      cause: error,
      hint: "run it with the management account's (or a delegated administrator's) credentials, or list the accounts in --accounts FILE",
    });
  } finally {
    client.destroy();
  }
  // Never empty in AWS (the management account is ACTIVE); an empty list must not mean "the caller's own".
  if (targets.length === 0)
    throw new KeyplaneError("AWS", "Organizations ListAccounts answered no ACTIVE account");
  return targets.sort((a, b) => a.account.localeCompare(b.account));
}
