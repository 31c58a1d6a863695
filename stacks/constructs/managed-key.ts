import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsReplicaKey } from "@cdktf/provider-aws/lib/kms-replica-key";
import { Construct } from "constructs";
import { KeyplaneError } from "../../byok/errors";
import { KEY_SPEC_INFO, type KeySpec, type KeyUsage } from "../../byok/vocabulary/key-specs";
import { TAG } from "../../byok/vocabulary/tags";
import type { GuardedKey } from "../guardrails/rule";
import { MONITORING_CLASSIFICATION } from "../plan/derive";
import {
  type BaseKeyProps,
  checkAlias,
  checkDeletionWindow,
  type GuardedKeySource,
  policyDocument,
  policyJson,
} from "./key-props";

export interface ManagedKeyProps extends BaseKeyProps {
  /** @default SYMMETRIC_DEFAULT */
  keySpec?: KeySpec;
  /** @default the spec's first usage (ENCRYPT_DECRYPT for symmetric keys) */
  keyUsage?: KeyUsage;
  /**
   * Automatic rotation period, symmetric encryption keys only (KMS allows 90-2560 days).
   * @default 365 for symmetric keys; none (refused) for HMAC and asymmetric keys
   */
  rotationDays?: number;
}

/** `aws_kms_key` with KMS-generated material, its aliases and multi-Region replicas. */
export class ManagedKey extends Construct implements GuardedKeySource {
  readonly key: KmsKey;
  readonly aliases: KmsAlias[];
  /** Token for the key's ARN (read once: every token read captures a stack trace). */
  readonly arn: string;
  /** Token for the key id. */
  readonly keyId: string;
  readonly keySpec: KeySpec;
  readonly rotationDays: number | undefined;
  readonly deletionWindowDays: number;
  /** Set by KeyMonitoring when it watches this key (only external keys need an expiry alarm). */
  expiryAlarm = false;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ManagedKeyProps,
  ) {
    super(scope, id);
    this.keySpec = props.keySpec ?? "SYMMETRIC_DEFAULT";
    const info = KEY_SPEC_INFO[this.keySpec];
    const keyUsage = props.keyUsage ?? info.usages[0]!;
    if (!info.usages.includes(keyUsage)) {
      throw new KeyplaneError(
        "PLAN",
        `${this.node.path}: keyUsage ${keyUsage} is not allowed for ${this.keySpec} (allowed: ${info.usages.join(", ")})`,
      );
    }
    if (!info.autoRotatable && props.rotationDays !== undefined) {
      throw new KeyplaneError(
        "PLAN",
        `${this.node.path}: rotationDays: KMS rotates only symmetric encryption keys, not ${this.keySpec}`,
      );
    }
    this.rotationDays = info.autoRotatable ? (props.rotationDays ?? 365) : undefined;
    if (
      this.rotationDays !== undefined &&
      (!Number.isInteger(this.rotationDays) || this.rotationDays < 90 || this.rotationDays > 2560)
    ) {
      throw new KeyplaneError(
        "PLAN",
        `${this.node.path}: rotationDays must be a whole number from 90 to 2560, got ${this.rotationDays}`,
      );
    }
    this.deletionWindowDays = checkDeletionWindow(this.node.path, props.deletionWindowDays ?? 30);
    const replicas = props.replicas ?? [];
    this.key = new KmsKey(this, "key", {
      description: props.description,
      customerMasterKeySpec: this.keySpec,
      keyUsage,
      // Set explicitly either way: the provider reads rotation status back for every key.
      enableKeyRotation: this.rotationDays !== undefined,
      ...(this.rotationDays === undefined ? {} : { rotationPeriodInDays: this.rotationDays }),
      deletionWindowInDays: this.deletionWindowDays,
      isEnabled: true,
      multiRegion: replicas.length > 0,
      policy: policyJson(props.policy),
      tags: props.tags,
    });
    this.arn = this.key.arn;
    this.keyId = this.key.keyId;
    this.aliases = (props.aliases ?? []).map(
      (alias, index) =>
        new KmsAlias(this, `alias-${index}`, {
          name: checkAlias(this.node.path, alias),
          targetKeyId: this.keyId,
        }),
    );
    for (const replica of replicas) {
      const replicaKey = new KmsReplicaKey(this, `replica-${replica.region}`, {
        provider: replica.provider,
        primaryKeyArn: this.arn,
        description: props.description,
        deletionWindowInDays: this.deletionWindowDays,
        enabled: true,
        policy: replica.policy,
        tags: props.tags,
      });
      (props.aliases ?? []).forEach((alias, index) => {
        new KmsAlias(this, `replica-${replica.region}-alias-${index}`, {
          provider: replica.provider,
          name: alias,
          targetKeyId: replicaKey.keyId,
        });
      });
    }
  }

  guardedKey(): GuardedKey {
    const guarded: GuardedKey = {
      path: this.node.path,
      tags: this.props.tags,
      aliases: this.props.aliases ?? [],
      origin: "AWS_KMS",
      autoRotatable: KEY_SPEC_INFO[this.keySpec].autoRotatable,
      deletionWindowDays: this.deletionWindowDays,
      policy: policyDocument(this.props.policy),
      expiryAlarm: this.expiryAlarm,
      monitoringKey: this.props.tags[TAG.classification] === MONITORING_CLASSIFICATION,
    };
    if (this.rotationDays !== undefined) guarded.rotationDays = this.rotationDays;
    return guarded;
  }
}
