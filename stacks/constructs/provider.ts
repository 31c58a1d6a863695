import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";

export interface KeyplaneProviderProps {
  region: string;
  /** Aliased providers serve replica regions. */
  alias?: string;
  /**
   * The plan's deploy role in the stack's account: the provider assumes it, so `terraform apply` runs as the
   * principal the key policies name (AWS's lockout safety check passes without a bypass), in both models.
   */
  deployRoleArn?: string;
  /** Sandbox mode (`--sandbox`, KEYPLANE_SANDBOX_URL): KMS and STS (so AssumeRole too) at this URL. */
  sandboxUrl?: string;
}

export function keyplaneProvider(scope: Construct, id: string, props: KeyplaneProviderProps): AwsProvider {
  const assumeRole = props.deployRoleArn
    ? { assumeRole: [{ roleArn: props.deployRoleArn, sessionName: "keyplane" }] }
    : {};
  if (props.sandboxUrl) {
    // Credentials come from the standard chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE), as
    // against AWS: the sandbox maps the access key to a principal of its principals file, and that principal
    // assumes the deploy role through the sandbox's STS. Nothing in the configuration is a credential.
    return new AwsProvider(scope, id, {
      region: props.region,
      ...(props.alias ? { alias: props.alias } : {}),
      endpoints: [{ kms: props.sandboxUrl, sts: props.sandboxUrl }],
      ...assumeRole,
      // No instance metadata on a rehearsal machine: without this, missing credentials end at the EC2
      // metadata service and fail only after its timeouts.
      skipMetadataApiCheck: "true",
      skipCredentialsValidation: true,
      skipRegionValidation: true,
      skipRequestingAccountId: true,
    });
  }
  return new AwsProvider(scope, id, {
    region: props.region,
    ...(props.alias ? { alias: props.alias } : {}),
    ...assumeRole,
  });
}
