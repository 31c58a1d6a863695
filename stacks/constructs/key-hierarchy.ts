import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import type { DerivedKey, DerivedPlan, StackPlan } from "../plan/derive";
import { policyForKey } from "../plan/policy-for-key";
import { ExternalKey } from "./external-key";
import { KeyMonitoring } from "./key-monitoring";
import { ManagedKey } from "./managed-key";
import { keyplaneProvider } from "./provider";

export interface KeyHierarchyOptions {
  /** Sandbox mode: providers point at this URL for KMS and STS; local backend; no monitoring. */
  sandboxUrl?: string;
}

/**
 * One stack: the keys of one account and region (centralized: the security account; decentralized: an
 * application account through its deploy role). Replicas live in the same stack behind an aliased provider
 * per replica region, so a replica refers to its primary without cross-stack state.
 */
export class KeyplaneStack extends TerraformStack {
  readonly keys: (ManagedKey | ExternalKey)[] = [];
  readonly monitoring: KeyMonitoring | undefined;

  constructor(scope: Construct, derived: DerivedPlan, stackPlan: StackPlan, options: KeyHierarchyOptions) {
    super(scope, stackPlan.id);
    const { plan } = derived;
    const providerProps = {
      ...(stackPlan.deployRoleArn ? { deployRoleArn: stackPlan.deployRoleArn } : {}),
      ...(options.sandboxUrl ? { sandboxUrl: options.sandboxUrl } : {}),
    };
    keyplaneProvider(this, "aws", { region: stackPlan.region, ...providerProps });
    const replicaProviders = new Map<string, AwsProvider>();
    for (const region of new Set(stackPlan.keys.flatMap((key) => key.replicaRegions))) {
      replicaProviders.set(
        region,
        keyplaneProvider(this, `aws-${region}`, { region, alias: region, ...providerProps }),
      );
    }
    this.configureBackend(derived, stackPlan, options);
    for (const key of stackPlan.keys) this.keys.push(this.addKey(key, replicaProviders));
    if (stackPlan.monitoringKey) {
      const monitoringKey = this.addKey(stackPlan.monitoringKey, replicaProviders) as ManagedKey;
      this.monitoring = new KeyMonitoring(this, "monitoring", {
        name: plan.name,
        account: stackPlan.account,
        region: stackPlan.region,
        monitoringKey,
        externalKeys: this.keys.filter((key): key is ExternalKey => key instanceof ExternalKey),
        email: plan.alerts?.email ?? [],
        expiryWarningDays: plan.alerts?.expiryWarningDays ?? 30,
      });
    }
    new TerraformOutput(this, "key_manifest", {
      description: "alias -> ARN, classification, application, service, origin (for runbooks)",
      value: Object.fromEntries(
        stackPlan.keys.map((key, index) => {
          const construct = this.keys[index]!;
          return [
            key.alias,
            {
              arn: construct.arn,
              key_id: construct.keyId,
              region: key.region,
              classification: key.classification,
              application: key.application,
              service: key.services.join(","),
              origin: key.origin,
            },
          ];
        }),
      ),
    });
  }

  /**
   * cdktf's preparing pass resolves every element once more, only to find references to other stacks and
   * add the outputs and remote state they need. A stack alone in its app has no other stack to refer to,
   * so it needs only the backend check (at 1,500 keys, that pass was a fifth of the synth).
   */
  override prepareStack(): void {
    if (stackCount(this.node.root) > 1) super.prepareStack();
    else this.ensureBackendExists();
  }

  private addKey(key: DerivedKey, replicaProviders: Map<string, AwsProvider>): ManagedKey | ExternalKey {
    const common = {
      description: key.description,
      policy: policyForKey(key),
      tags: key.tags,
      aliases: [key.alias],
      deletionWindowDays: key.deletionWindowDays,
      replicas: key.replicaRegions.map((region) => ({
        region,
        provider: replicaProviders.get(region)!,
        policy: policyForKey(key, region).render(),
      })),
    };
    const rotation = key.rotationDays === undefined ? {} : { rotationDays: key.rotationDays };
    if (key.origin === "EXTERNAL") {
      return new ExternalKey(this, key.id, {
        ...common,
        ...rotation,
        materialValidityDays: key.materialValidityDays ?? 365,
      });
    }
    return new ManagedKey(this, key.id, {
      ...common,
      ...rotation,
      keySpec: key.keySpec,
      keyUsage: key.keyUsage,
    });
  }

  /** A relative local path by default: an absolute one would make the synth output unportable. */
  private configureBackend(derived: DerivedPlan, stackPlan: StackPlan, options: KeyHierarchyOptions): void {
    const s3 = derived.plan.backend?.s3;
    if (!s3 || options.sandboxUrl) {
      new LocalBackend(this, { path: `terraform.${stackPlan.id}.tfstate` });
      return;
    }
    new S3Backend(this, {
      bucket: s3.bucket,
      key: `${s3.key}/${stackPlan.id}.tfstate`,
      region: s3.region,
      encrypt: true,
    });
    if (s3.useLockfile) this.addOverride("terraform.backend.s3.use_lockfile", true);
  }
}

/** Stacks in an app, counted once: cdktf prepares every stack, and each asks. */
const stackCounts = new WeakMap<IConstruct, number>();

function stackCount(root: IConstruct): number {
  let count = stackCounts.get(root);
  if (count === undefined) {
    count = root.node.findAll().filter(TerraformStack.isStack).length;
    stackCounts.set(root, count);
  }
  return count;
}

/** The whole plan: one KeyplaneStack per account x region. */
export class KeyHierarchy {
  readonly stacks: KeyplaneStack[];

  constructor(scope: Construct, derived: DerivedPlan, options: KeyHierarchyOptions = {}) {
    this.stacks = derived.stacks.map((stackPlan) => new KeyplaneStack(scope, derived, stackPlan, options));
  }
}
