import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";

export interface KeyplaneProviderProps {
  region: string;
  /** Aliased providers serve replica regions. */
  alias?: string;
  /** Decentralized plans: the deploy role in the application account (ignored in sandbox mode). */
  deployRoleArn?: string;
  /** Sandbox mode (KEYPLANE_SANDBOX_URL): KMS and STS at this URL, dummy credentials, nothing else. */
  sandboxUrl?: string;
}

export function keyplaneProvider(scope: Construct, id: string, props: KeyplaneProviderProps): AwsProvider {
  if (props.sandboxUrl) {
    return new AwsProvider(scope, id, {
      region: props.region,
      ...(props.alias ? { alias: props.alias } : {}),
      endpoints: [{ kms: props.sandboxUrl, sts: props.sandboxUrl }],
      skipCredentialsValidation: true,
      skipMetadataApiCheck: "true",
      skipRegionValidation: true,
      skipRequestingAccountId: true,
    });
  }
  return new AwsProvider(scope, id, {
    region: props.region,
    ...(props.alias ? { alias: props.alias } : {}),
    ...(props.deployRoleArn
      ? { assumeRole: [{ roleArn: props.deployRoleArn, sessionName: "keyplane" }] }
      : {}),
  });
}
