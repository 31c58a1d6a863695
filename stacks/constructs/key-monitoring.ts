import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { DAY_MS, EXPIRY_WARNING_DAYS } from "../../byok/vocabulary/kms-limits";
import type { ExternalKey } from "./external-key";
import type { ManagedKey } from "./managed-key";

export interface KeyMonitoringProps {
  /** Resource name prefix, e.g. the plan name. */
  name: string;
  account: string;
  region: string;
  /** Encrypts the trail's bucket and the alert topic; its policy must let CloudTrail and publishers in. */
  monitoringKey: ManagedKey;
  /** Keys whose imported material gets an expiry alarm. @default none */
  externalKeys?: ExternalKey[];
  /** Alert e-mail subscriptions. @default none */
  email?: string[];
  /** Alarm when imported material expires within this many days. @default 30 */
  expiryWarningDays?: number;
}

/** KMS's own events (material expiration, rotation, deletion). */
const KMS_EVENTS = ["KMS Imported Key Material Expiration", "KMS CMK Rotation", "KMS CMK Deletion"];
/** API calls on keys that need a second pair of eyes. */
const WATCHED_CALLS = [
  "CreateGrant",
  "DeleteImportedKeyMaterial",
  "DisableKey",
  "ImportKeyMaterial",
  "PutKeyPolicy",
  "ScheduleKeyDeletion",
];

/**
 * Key usage monitoring for one stack: a multi-Region CloudTrail trail with log-file validation into an
 * encrypted, private bucket; EventBridge rules for KMS events and sensitive API calls; an encrypted SNS topic;
 * an alarm per external key on SecondsUntilKeyMaterialExpiration.
 * https://docs.aws.amazon.com/kms/latest/developerguide/monitoring-overview.html
 */
export class KeyMonitoring extends Construct {
  readonly topic: SnsTopic;
  readonly trail: Cloudtrail;

  constructor(scope: Construct, id: string, props: KeyMonitoringProps) {
    super(scope, id);
    const { name, account, region, monitoringKey } = props;
    const trailName = `${name}-keyplane`;
    const trailArn = `arn:aws:cloudtrail:${region}:${account}:trail/${trailName}`;
    const bucket = new S3Bucket(this, "trail-bucket", {
      bucket: `${name}-keyplane-trail-${account}-${region}`,
      forceDestroy: false,
    });
    new S3BucketPublicAccessBlock(this, "trail-bucket-public-access", {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "trail-bucket-encryption", {
      bucket: bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: monitoringKey.arn },
          bucketKeyEnabled: true,
        },
      ],
    });
    // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
    const bucketPolicy = new S3BucketPolicy(this, "trail-bucket-policy", {
      bucket: bucket.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "CloudTrailAclCheck",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:GetBucketAcl",
            Resource: `arn:aws:s3:::${name}-keyplane-trail-${account}-${region}`,
            Condition: { StringEquals: { "aws:SourceArn": trailArn } },
          },
          {
            Sid: "CloudTrailWrite",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `arn:aws:s3:::${name}-keyplane-trail-${account}-${region}/AWSLogs/${account}/*`,
            Condition: {
              StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn },
            },
          },
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [
              `arn:aws:s3:::${name}-keyplane-trail-${account}-${region}`,
              `arn:aws:s3:::${name}-keyplane-trail-${account}-${region}/*`,
            ],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    });
    this.trail = new Cloudtrail(this, "trail", {
      name: trailName,
      s3BucketName: bucket.id,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      kmsKeyId: monitoringKey.arn,
      dependsOn: [bucketPolicy],
    });
    this.topic = new SnsTopic(this, "alerts", {
      name: `${name}-keyplane-alerts`,
      kmsMasterKeyId: monitoringKey.arn,
    });
    new SnsTopicPolicy(this, "alerts-policy", {
      arn: this.topic.arn,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "EventsAndAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
            Action: "sns:Publish",
            Resource: `arn:aws:sns:${region}:${account}:${name}-keyplane-alerts`,
            Condition: { StringEquals: { "aws:SourceAccount": account } },
          },
        ],
      }),
    });
    for (const [index, email] of (props.email ?? []).entries()) {
      new SnsTopicSubscription(this, `alerts-email-${index}`, {
        topicArn: this.topic.arn,
        protocol: "email",
        endpoint: email,
      });
    }
    this.rule("kms-events", "KMS events: imported material expiration, rotation, deletion", {
      source: ["aws.kms"],
      "detail-type": KMS_EVENTS,
    });
    this.rule("kms-api-calls", "Sensitive KMS API calls on keys", {
      source: ["aws.kms"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: { eventSource: ["kms.amazonaws.com"], eventName: WATCHED_CALLS },
    });
    const warningDays = props.expiryWarningDays ?? EXPIRY_WARNING_DAYS.default;
    for (const key of props.externalKeys ?? []) {
      key.expiryAlarm = true;
      new CloudwatchMetricAlarm(this, `expiry-${key.node.id}`, {
        alarmName: `${name}-keyplane-expiry-${key.node.id}`,
        alarmDescription: `Imported material of ${key.node.path} expires within ${warningDays} days`,
        namespace: "AWS/KMS",
        metricName: "SecondsUntilKeyMaterialExpiration",
        dimensions: { KeyId: key.keyId },
        statistic: "Minimum",
        period: 3600,
        evaluationPeriods: 1,
        threshold: (warningDays * DAY_MS) / 1000,
        comparisonOperator: "LessThanThreshold",
        // A key waiting for its first import has no metric yet: not an alarm.
        treatMissingData: "ignore",
        alarmActions: [this.topic.arn],
      });
    }
  }

  private rule(id: string, description: string, pattern: Record<string, unknown>): void {
    const rule = new CloudwatchEventRule(this, id, {
      name: `${this.node.scope?.node.id ?? "keyplane"}-${id}`.slice(0, 64),
      description,
      eventPattern: JSON.stringify(pattern),
    });
    new CloudwatchEventTarget(this, `${id}-to-alerts`, { rule: rule.name, arn: this.topic.arn });
  }
}
