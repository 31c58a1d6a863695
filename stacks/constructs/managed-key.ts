import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsReplicaKey } from "@cdktf/provider-aws/lib/kms-replica-key";
import type { Construct } from "constructs";
import { KeyplaneError } from "../../byok/errors";
import { KEY_SPEC_INFO, type KeySpec, type KeyUsage } from "../../byok/vocabulary/key-specs";
import { ROTATION_DAYS, withinDays } from "../../byok/vocabulary/kms-limits";
import { KeyBase } from "./key-base";
import type { BaseKeyProps } from "./key-props";

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
export class ManagedKey extends KeyBase {
  readonly origin = "AWS_KMS";
  readonly key: KmsKey;
  readonly arn: string;
  readonly keyId: string;
  readonly keySpec: KeySpec;
  readonly rotationDays: number | undefined;

  constructor(scope: Construct, id: string, props: ManagedKeyProps) {
    super(scope, id, props);
    this.keySpec = props.keySpec ?? "SYMMETRIC_DEFAULT";
    const info = KEY_SPEC_INFO[this.keySpec];
    if (!info) {
      throw new KeyplaneError("PLAN", `${this.node.path}: keySpec: unknown key spec '${this.keySpec}'`);
    }
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
    this.rotationDays = info.autoRotatable ? (props.rotationDays ?? ROTATION_DAYS.default) : undefined;
    if (this.rotationDays !== undefined && !withinDays(this.rotationDays, ROTATION_DAYS)) {
      throw new KeyplaneError(
        "PLAN",
        `${this.node.path}: rotationDays must be a whole number from ${ROTATION_DAYS.min} to ${ROTATION_DAYS.max}, got ${this.rotationDays}`,
      );
    }
    const policy = this.inlinePolicy();
    this.key = new KmsKey(this, "key", {
      description: props.description,
      customerMasterKeySpec: this.keySpec,
      keyUsage,
      // Set explicitly either way: the provider reads rotation status back for every key.
      enableKeyRotation: this.rotationDays !== undefined,
      ...(this.rotationDays === undefined ? {} : { rotationPeriodInDays: this.rotationDays }),
      deletionWindowInDays: this.deletionWindowDays,
      isEnabled: true,
      multiRegion: this.multiRegion,
      ...(policy === undefined ? {} : { policy }),
      ...(props.tags ? { tags: props.tags } : {}),
    });
    this.arn = this.key.arn;
    this.keyId = this.key.keyId;
    this.attach((replicaId, replica, primaryKeyArn) => {
      const replicaPolicy = this.replicaPolicy(replica);
      return new KmsReplicaKey(this, replicaId, {
        provider: replica.provider,
        primaryKeyArn,
        description: props.description,
        deletionWindowInDays: this.deletionWindowDays,
        enabled: true,
        ...(replicaPolicy === undefined ? {} : { policy: replicaPolicy }),
        ...(props.tags ? { tags: props.tags } : {}),
      });
    });
  }

  protected guardedFacts() {
    return { autoRotatable: KEY_SPEC_INFO[this.keySpec].autoRotatable };
  }
}
