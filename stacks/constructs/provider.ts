import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";

export interface KeyplaneProviderProps {
  region: string;
  /** Aliased providers serve replica regions. */
  alias?: string;
  /** Decentralized plans: the deploy role in the application account (ignored in sandbox mode). */
  deployRoleArn?: string;
  /** Sandbox mode (`--sandbox`, KEYPLANE_SANDBOX_URL): KMS and STS at this URL, dummy credentials. */
  sandboxUrl?: string;
}

/** A dummy the sandbox accepts: never a real credential. */
const SANDBOX_CREDENTIAL = "keyplane-sandbox";

export function keyplaneProvider(scope: Construct, id: string, props: KeyplaneProviderProps): AwsProvider {
  if (props.sandboxUrl) {
    return new AwsProvider(scope, id, {
      region: props.region,
      ...(props.alias ? { alias: props.alias } : {}),
      endpoints: [{ kms: props.sandboxUrl, sts: props.sandboxUrl }],
      // The sandbox does not check signatures, but without credentials the provider searches every source,
      // ends at the EC2 metadata service and fails ("No valid credential sources found") after ~50 s.
      accessKey: SANDBOX_CREDENTIAL,
      secretKey: SANDBOX_CREDENTIAL,
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
