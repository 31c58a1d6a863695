/**
 * KeyPolicy: a key policy built from roles (administrators, custodians, users, services) and rendered once
 * to a literal JSON string. Pure (no cdktf): guardrails inspect the document, and the synth output stays
 * deterministic (no data source, no drift).
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
import type { KeyUsage } from "../../byok/vocabulary/key-specs";
import {
  ADMINISTRATOR_ACTIONS,
  ADMINISTRATOR_ROTATION_ACTION,
  CUSTODIAN_ACTIONS,
  CUSTODIAN_VERIFY_CONTEXT,
  custodianVerifyActions,
  DEPLOYER_ACTIONS,
  DEPLOYER_SID,
  GRANT_ACTIONS,
  READER_ACTIONS,
  userActions,
} from "./actions";
import type { PolicyDocument, PolicyStatement } from "./document";
import { type ServiceId, serviceInfo } from "./services";

export interface KeyPolicyProps {
  /** Account that holds the key. */
  account: string;
  /** Region of the key (ViaService names and service principals are regional). */
  region: string;
  /** @default "aws" */
  partition?: string;
}

export class KeyPolicy {
  private readonly statements: PolicyStatement[] = [];
  private readonly partition: string;

  constructor(private readonly props: KeyPolicyProps) {
    this.partition = props.partition ?? "aws";
  }

  /** Manage the key (including its policy, so nobody is locked out); never use it. */
  allowAdministrators(principals: readonly string[], options: { rotateOnDemand: boolean }): this {
    if (principals.length === 0) return this;
    const actions: string[] = [...ADMINISTRATOR_ACTIONS];
    if (options.rotateOnDemand) actions.push(ADMINISTRATOR_ROTATION_ACTION);
    return this.add({
      Sid: "KeyAdministrators",
      Effect: "Allow",
      Principal: aws(principals),
      Action: actions.sort(),
      Resource: "*",
    });
  }

  /**
   * Import (and delete, rotate) material of an external key, and prove the import (`verify`) under the
   * verify step's own encryption context only; never use the key for data.
   */
  allowCustodians(principals: readonly string[], verify: { usage: KeyUsage; symmetric: boolean }): this {
    if (principals.length === 0) return this;
    this.add({
      Sid: "KeyCustodians",
      Effect: "Allow",
      Principal: aws(principals),
      Action: [...CUSTODIAN_ACTIONS],
      Resource: "*",
    });
    const actions = custodianVerifyActions(verify.usage, verify.symmetric);
    const contextBound = actions.includes("kms:Encrypt");
    return this.add({
      Sid: "KeyCustodiansVerifyImport",
      Effect: "Allow",
      Principal: aws(principals),
      Action: one(actions),
      Resource: "*",
      ...(contextBound
        ? {
            Condition: {
              StringLike: { [`kms:EncryptionContext:${CUSTODIAN_VERIFY_CONTEXT}`]: "*" },
              "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": CUSTODIAN_VERIFY_CONTEXT },
            },
          }
        : {}),
    });
  }

  /** Read the key's metadata, tags, materials and rotation (fleet scans); never manage or use it. */
  allowReaders(principals: readonly string[]): this {
    if (principals.length === 0) return this;
    return this.add({
      Sid: "KeyReaders",
      Effect: "Allow",
      Principal: aws(principals),
      Action: [...READER_ACTIONS],
      Resource: "*",
    });
  }

  /**
   * The principal that runs `terraform apply`: what the AWS provider calls to create, read back, update and
   * delete the key. Naming it is what lets CreateKey and PutKeyPolicy pass AWS's policy lockout safety check
   * (the new policy must let the caller PutKeyPolicy) without BypassPolicyLockoutSafetyCheck.
   */
  allowDeployers(principals: readonly string[]): this {
    if (principals.length === 0) return this;
    return this.add({
      Sid: DEPLOYER_SID,
      Effect: "Allow",
      Principal: aws(principals),
      Action: [...DEPLOYER_ACTIONS],
      Resource: "*",
    });
  }

  /**
   * Use the key, only through the named services and only from `callerAccounts`; services that create
   * grants for their resources (EBS, RDS, ...) get CreateGrant limited to `kms:GrantIsForAWSResource`.
   */
  allowUsers(
    principals: readonly string[],
    options: {
      services: readonly ServiceId[];
      callerAccounts: readonly string[];
      usage: KeyUsage;
      symmetric: boolean;
    },
  ): this {
    if (principals.length === 0) return this;
    const viaServices = options.services.map(
      (service) => `${serviceInfo(service).viaService}.${this.props.region}.amazonaws.com`,
    );
    const condition = {
      StringEquals: { "kms:ViaService": one(viaServices), "kms:CallerAccount": one(options.callerAccounts) },
    };
    this.add({
      Sid: "KeyUsers",
      Effect: "Allow",
      Principal: aws(principals),
      Action: userActions(options.usage, options.symmetric),
      Resource: "*",
      Condition: condition,
    });
    const granting = options.services.filter((service) => serviceInfo(service).needsGrants);
    if (granting.length > 0) {
      const via = granting.map(
        (service) => `${serviceInfo(service).viaService}.${this.props.region}.amazonaws.com`,
      );
      this.add({
        Sid: "KeyUsersGrantsForAwsResources",
        Effect: "Allow",
        Principal: aws(principals),
        Action: [...GRANT_ACTIONS],
        Resource: "*",
        Condition: {
          Bool: { "kms:GrantIsForAWSResource": "true" },
          StringEquals: { "kms:ViaService": one(via), "kms:CallerAccount": one(options.callerAccounts) },
        },
      });
    }
    return this;
  }

  /**
   * Services that call KMS as themselves, each limited by the encryption context (or source account) that
   * ties the call to `sourceAccount`'s resources.
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
   * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
   * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
   */
  allowServicePrincipals(services: readonly ServiceId[], sourceAccount: string): this {
    const { region } = this.props;
    for (const service of services) {
      const kind = serviceInfo(service).servicePrincipal;
      if (kind === "logs") {
        this.add({
          Sid: "CloudWatchLogs",
          Effect: "Allow",
          Principal: { Service: `logs.${region}.amazonaws.com` },
          Action: ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
          Resource: "*",
          Condition: {
            ArnLike: {
              "kms:EncryptionContext:aws:logs:arn": `arn:${this.partition}:logs:${region}:${sourceAccount}:log-group:*`,
            },
          },
        });
      } else if (kind === "cloudtrail") {
        this.add({
          Sid: "CloudTrail",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: ["kms:DescribeKey", "kms:GenerateDataKey*"],
          Resource: "*",
          Condition: {
            StringLike: {
              "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${this.partition}:cloudtrail:*:${sourceAccount}:trail/*`,
            },
            StringEquals: { "aws:SourceAccount": sourceAccount },
          },
        });
      } else if (kind === "sns") {
        // EventBridge and CloudWatch alarms publish to encrypted topics as themselves.
        this.add({
          Sid: "SnsPublishers",
          Effect: "Allow",
          Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
          Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } },
        });
      }
    }
    return this;
  }

  /**
   * Lets IAM policies of the key's account grant access (the account-root statement). Off unless the plan
   * sets `iamDelegation: true`: with it, anyone the account's IAM allows can use the key.
   */
  delegateToIam(): this {
    return this.add({
      Sid: "EnableIamPolicies",
      Effect: "Allow",
      Principal: { AWS: `arn:${this.partition}:iam::${this.props.account}:root` },
      Action: "kms:*",
      Resource: "*",
    });
  }

  /** Any statement, for callers composing their own (guardrails still inspect it). Kept as a frozen copy. */
  add(statement: PolicyStatement): this {
    this.statements.push(frozenCopy(statement));
    return this;
  }

  /**
   * The policy as guardrails read it. Its statements are this policy's own, frozen: nobody can change the
   * policy through them, and no copy per reading (a structured clone per key was half of `plan lint`).
   */
  document(): PolicyDocument {
    return { Version: "2012-10-17", Statement: [...this.statements] };
  }

  /** The policy as the literal JSON string `aws_kms_key.policy` takes. */
  render(): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: this.statements });
  }
}

function aws(principals: readonly string[]): { AWS: string | string[] } {
  return { AWS: one([...principals].sort()) };
}

/** A deep copy of a JSON value, frozen at every level. */
function frozenCopy<T>(value: T): T {
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as T;
  if (value !== null && typeof value === "object") {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) copy[key] = frozenCopy((value as Record<string, unknown>)[key]);
    return Object.freeze(copy) as T;
  }
  return value;
}

/** IAM normalizes one-element lists to a string; rendering it that way avoids a diff on every plan. */
function one(values: readonly string[]): string | string[] {
  return values.length === 1 ? values[0]! : [...values];
}
