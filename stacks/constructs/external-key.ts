import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsExternalKey } from "@cdktf/provider-aws/lib/kms-external-key";
import { KmsReplicaExternalKey } from "@cdktf/provider-aws/lib/kms-replica-external-key";
import { Construct } from "constructs";
import { KeyplaneError } from "../../byok/errors";
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

export interface ExternalKeyProps extends BaseKeyProps {
  /** How long imported material may live (the CLI imports with this expiry; a tag records it). */
  materialValidityDays: number;
  /** On-demand rotation period the plan demands (imported keys never rotate automatically). @default none */
  rotationDays?: number;
}

/**
 * `aws_kms_external_key` (BYOK): symmetric, created in PendingImport. There is deliberately no prop for key
 * material: `key_material_base64` would put the material in Terraform state. Custodians import it out of
 * band (`keyplane byok ceremony`). `enabled` is left to the provider, which keeps a key without material
 * disabled.
 */
export class ExternalKey extends Construct implements GuardedKeySource {
  readonly key: KmsExternalKey;
  readonly aliases: KmsAlias[];
  /** Token for the key's ARN (read once: every token read captures a stack trace). */
  readonly arn: string;
  /** Token for the key id. */
  readonly keyId: string;
  readonly deletionWindowDays: number;
  expiryAlarm = false;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ExternalKeyProps,
  ) {
    super(scope, id);
    if (!Number.isInteger(props.materialValidityDays) || props.materialValidityDays < 1) {
      throw new KeyplaneError(
        "PLAN",
        `${this.node.path}: materialValidityDays must be a positive whole number, got ${props.materialValidityDays}`,
      );
    }
    this.deletionWindowDays = checkDeletionWindow(this.node.path, props.deletionWindowDays ?? 30);
    const replicas = props.replicas ?? [];
    this.key = new KmsExternalKey(this, "key", {
      description: props.description,
      deletionWindowInDays: this.deletionWindowDays,
      multiRegion: replicas.length > 0,
      policy: policyJson(props.policy),
      tags: props.tags,
      // Custodians import material out of band with an expiry (`keyplane byok ceremony`); the provider reads
      // that expiry back, and without this it would plan to clear it on the next apply.
      lifecycle: { ignoreChanges: ["valid_to"] },
    });
    this.arn = this.key.arn;
    this.keyId = this.key.id;
    this.aliases = (props.aliases ?? []).map(
      (alias, index) =>
        new KmsAlias(this, `alias-${index}`, {
          name: checkAlias(this.node.path, alias),
          targetKeyId: this.keyId,
        }),
    );
    for (const replica of replicas) {
      const replicaKey = new KmsReplicaExternalKey(this, `replica-${replica.region}`, {
        provider: replica.provider,
        primaryKeyArn: this.arn,
        description: props.description,
        deletionWindowInDays: this.deletionWindowDays,
        policy: replica.policy,
        tags: props.tags,
      });
      (props.aliases ?? []).forEach((alias, index) => {
        new KmsAlias(this, `replica-${replica.region}-alias-${index}`, {
          provider: replica.provider,
          name: alias,
          targetKeyId: replicaKey.id,
        });
      });
    }
  }

  guardedKey(): GuardedKey {
    const guarded: GuardedKey = {
      path: this.node.path,
      tags: this.props.tags,
      aliases: this.props.aliases ?? [],
      origin: "EXTERNAL",
      autoRotatable: false,
      materialValidityDays: this.props.materialValidityDays,
      deletionWindowDays: this.deletionWindowDays,
      policy: policyDocument(this.props.policy),
      expiryAlarm: this.expiryAlarm,
      monitoringKey: this.props.tags[TAG.classification] === MONITORING_CLASSIFICATION,
    };
    if (this.props.rotationDays !== undefined) guarded.rotationDays = this.props.rotationDays;
    return guarded;
  }
}
