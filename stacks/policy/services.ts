/**
 * The AWS services a key plan may name, and what the stacks need to know about each.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 * https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key
 */
export interface ServiceInfo {
  /** Host prefix of `kms:ViaService` (`<prefix>.<region>.amazonaws.com`): EBS calls KMS as EC2. */
  viaService: string;
  /** The AWS managed key that serves the service when a classification says `keys: aws-managed`. */
  awsManagedKey?: string;
  /** Services that create grants on the caller's behalf (`kms:GrantIsForAWSResource`). */
  needsGrants: boolean;
  /**
   * Services that call KMS as themselves (a service principal), with the encryption-context condition that
   * limits them to the application account's resources.
   */
  servicePrincipal?: "logs" | "cloudtrail" | "sns";
}

export const SERVICES = {
  s3: { viaService: "s3", awsManagedKey: "aws/s3", needsGrants: false },
  rds: { viaService: "rds", awsManagedKey: "aws/rds", needsGrants: true },
  ebs: { viaService: "ec2", awsManagedKey: "aws/ebs", needsGrants: true },
  dynamodb: { viaService: "dynamodb", awsManagedKey: "aws/dynamodb", needsGrants: true },
  sqs: { viaService: "sqs", awsManagedKey: "aws/sqs", needsGrants: false },
  sns: { viaService: "sns", awsManagedKey: "aws/sns", needsGrants: false, servicePrincipal: "sns" },
  lambda: { viaService: "lambda", awsManagedKey: "aws/lambda", needsGrants: true },
  secretsmanager: { viaService: "secretsmanager", awsManagedKey: "aws/secretsmanager", needsGrants: false },
  ssm: { viaService: "ssm", awsManagedKey: "aws/ssm", needsGrants: false },
  kinesis: { viaService: "kinesis", awsManagedKey: "aws/kinesis", needsGrants: false },
  efs: { viaService: "elasticfilesystem", awsManagedKey: "aws/elasticfilesystem", needsGrants: true },
  redshift: { viaService: "redshift", awsManagedKey: "aws/redshift", needsGrants: true },
  backup: { viaService: "backup", awsManagedKey: "aws/backup", needsGrants: true },
  // CloudWatch Logs and CloudTrail have no AWS managed key: without a customer managed key they use AWS
  // owned keys, which no policy of yours governs.
  logs: { viaService: "logs", needsGrants: false, servicePrincipal: "logs" },
  cloudtrail: { viaService: "cloudtrail", needsGrants: false, servicePrincipal: "cloudtrail" },
} as const satisfies Record<string, ServiceInfo>;

export type ServiceId = keyof typeof SERVICES;
export const SERVICE_IDS = Object.keys(SERVICES) as ServiceId[];

export function serviceInfo(id: ServiceId): ServiceInfo {
  return SERVICES[id];
}

/** What serves an `aws-managed` classification for a service, as the derived table shows it. */
export function awsManagedKeyFor(id: ServiceId): string {
  return serviceInfo(id).awsManagedKey ?? "AWS owned key";
}
