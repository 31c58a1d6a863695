import { KmsExternalKey } from "@cdktf/provider-aws/lib/kms-external-key";
import { KmsReplicaExternalKey } from "@cdktf/provider-aws/lib/kms-replica-external-key";
import type { Construct } from "constructs";
import { KeyplaneError } from "../../byok/errors";
import { MATERIAL_VALIDITY_DAYS, ROTATION_DAYS, withinDays } from "../../byok/vocabulary/kms-limits";
import { KeyBase } from "./key-base";
import type { BaseKeyProps } from "./key-props";

export interface ExternalKeyProps extends BaseKeyProps {
  /**
   * How long imported material may live, in days (the CLI imports with this expiry; the tag
   * `keyplane:material-validity-days` records it). KMS allows at most 365.
   * @default 365
   */
  materialValidityDays?: number;
  /** On-demand rotation period the plan demands (imported keys never rotate automatically). @default none */
  rotationDays?: number;
}

/**
 * `aws_kms_external_key` (BYOK): symmetric, created in PendingImport. There is deliberately no prop for key
 * material: `key_material_base64` would put the material in Terraform state. Custodians import it out of
 * band (`keyplane byok ceremony`). `enabled` is left to the provider, which keeps a key without material
 * disabled.
 */
export class ExternalKey extends KeyBase {
  readonly origin = "EXTERNAL";
  readonly key: KmsExternalKey;
  readonly arn: string;
  readonly keyId: string;
  readonly materialValidityDays: number;
  readonly rotationDays: number | undefined;

  constructor(scope: Construct, id: string, props: ExternalKeyProps) {
    super(scope, id, props);
    this.materialValidityDays = props.materialValidityDays ?? MATERIAL_VALIDITY_DAYS.default;
    if (!withinDays(this.materialValidityDays, MATERIAL_VALIDITY_DAYS)) {
      throw new KeyplaneError(
        "PLAN",
        `${this.node.path}: materialValidityDays must be a whole number from ${MATERIAL_VALIDITY_DAYS.min} to ${MATERIAL_VALIDITY_DAYS.max}, got ${this.materialValidityDays}`,
      );
    }
    this.rotationDays = props.rotationDays;
    if (this.rotationDays !== undefined && !withinDays(this.rotationDays, ROTATION_DAYS)) {
      throw new KeyplaneError(
        "PLAN",
        `${this.node.path}: rotationDays must be a whole number from ${ROTATION_DAYS.min} to ${ROTATION_DAYS.max}, got ${this.rotationDays}`,
      );
    }
    const policy = this.inlinePolicy();
    this.key = new KmsExternalKey(this, "key", {
      description: props.description,
      deletionWindowInDays: this.deletionWindowDays,
      multiRegion: this.multiRegion,
      ...(policy === undefined ? {} : { policy }),
      ...(props.tags ? { tags: props.tags } : {}),
      // Custodians import material out of band with an expiry (`keyplane byok ceremony`); the provider reads
      // that expiry back, and without this it would plan to clear it on the next apply.
      lifecycle: { ignoreChanges: ["valid_to"] },
    });
    this.arn = this.key.arn;
    this.keyId = this.key.id;
    this.attach((replicaId, replica, primaryKeyArn) => {
      const replicaPolicy = this.replicaPolicy(replica);
      const replicaKey = new KmsReplicaExternalKey(this, replicaId, {
        provider: replica.provider,
        primaryKeyArn,
        description: props.description,
        deletionWindowInDays: this.deletionWindowDays,
        ...(replicaPolicy === undefined ? {} : { policy: replicaPolicy }),
        ...(props.tags ? { tags: props.tags } : {}),
      });
      return { keyId: replicaKey.id };
    });
  }

  protected guardedFacts() {
    return { autoRotatable: false, materialValidityDays: this.materialValidityDays };
  }
}
