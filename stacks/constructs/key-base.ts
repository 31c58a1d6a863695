import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { DELETION_WINDOW_DAYS } from "../../byok/vocabulary/kms-limits";
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
  type ReplicaProps,
} from "./key-props";

/** What a key variant creates for one replica: the replica's key id (a token). */
export type ReplicaFactory = (id: string, replica: ReplicaProps, primaryArn: string) => { keyId: string };

/**
 * What every keyplane key shares (the `KeyBase` of AWS CDK's aws-kms): validated deletion window, aliases,
 * multi-Region replicas with their aliases, the policy either inline or as its own resource, and the view
 * guardrails take of it. Subclasses create the key resource itself and say what kind of key it is.
 */
export abstract class KeyBase extends Construct implements GuardedKeySource {
  /** Token for the key's ARN (read once: every token read costs cdktf work). */
  abstract readonly arn: string;
  /** Token for the key id. */
  abstract readonly keyId: string;
  abstract readonly origin: "AWS_KMS" | "EXTERNAL";
  /** Rotation period in days (automatic for managed keys, on-demand for external ones), if any. */
  abstract readonly rotationDays: number | undefined;
  readonly aliases: KmsAlias[] = [];
  readonly deletionWindowDays: number;
  /** Set by KeyMonitoring when it watches this key (only external keys need an expiry alarm). */
  expiryAlarm = false;

  protected constructor(
    scope: Construct,
    id: string,
    protected readonly props: BaseKeyProps,
  ) {
    super(scope, id);
    this.deletionWindowDays = checkDeletionWindow(
      this.node.path,
      props.deletionWindowDays ?? DELETION_WINDOW_DAYS.default,
    );
    for (const alias of props.aliases ?? []) checkAlias(this.node.path, alias);
  }

  /** The literal policy for the key's `policy` argument, or undefined when it becomes its own resource. */
  protected inlinePolicy(): string | undefined {
    return this.props.policyAsResource ? undefined : policyJson(this.props.policy);
  }

  /** Whether the key is multi-Region (it has replicas). */
  protected get multiRegion(): boolean {
    return (this.props.replicas ?? []).length > 0;
  }

  /** Called by subclasses once the key resource exists: aliases, replicas, and the policy resource. */
  protected attach(createReplica: ReplicaFactory): void {
    const aliases = this.props.aliases ?? [];
    this.addAliases("", aliases, this.keyId, undefined);
    if (this.props.policyAsResource) this.addPolicy("policy", this.keyId, policyJson(this.props.policy));
    for (const replica of this.props.replicas ?? []) {
      const replicaKey = createReplica(`replica-${replica.region}`, replica, this.arn);
      this.addAliases(`replica-${replica.region}-`, aliases, replicaKey.keyId, replica.provider);
      if (this.props.policyAsResource) {
        this.addPolicy(
          `replica-${replica.region}-policy`,
          replicaKey.keyId,
          replica.policy,
          replica.provider,
        );
      }
    }
  }

  /** A replica's policy argument (undefined when policies are their own resources). */
  protected replicaPolicy(replica: ReplicaProps): string | undefined {
    return this.props.policyAsResource ? undefined : replica.policy;
  }

  /** Kind-specific facts of the guardrail view. */
  protected abstract guardedFacts(): Pick<GuardedKey, "autoRotatable" | "materialValidityDays">;

  guardedKey(): GuardedKey {
    const tags = this.props.tags ?? {};
    const guarded: GuardedKey = {
      path: this.node.path,
      tags,
      aliases: this.props.aliases ?? [],
      origin: this.origin,
      autoRotatable: false,
      deletionWindowDays: this.deletionWindowDays,
      policy: policyDocument(this.props.policy),
      expiryAlarm: this.expiryAlarm,
      monitoringKey: tags[TAG.classification] === MONITORING_CLASSIFICATION,
    };
    const facts = this.guardedFacts();
    guarded.autoRotatable = facts.autoRotatable;
    if (facts.materialValidityDays !== undefined) guarded.materialValidityDays = facts.materialValidityDays;
    if (this.rotationDays !== undefined) guarded.rotationDays = this.rotationDays;
    return guarded;
  }

  private addAliases(
    prefix: string,
    aliases: readonly string[],
    targetKeyId: string,
    provider: TerraformProvider | undefined,
  ): void {
    aliases.forEach((name, index) => {
      const alias = new KmsAlias(this, `${prefix}alias-${index}`, {
        ...(provider ? { provider } : {}),
        name,
        targetKeyId,
      });
      if (!provider) this.aliases.push(alias);
    });
  }

  private addPolicy(id: string, keyId: string, policy: string, provider?: TerraformProvider): void {
    new KmsKeyPolicy(this, id, { ...(provider ? { provider } : {}), keyId, policy });
  }
}
