import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import type { DerivedPlan, StackPlan } from "../plan/derive";
import type { KeyBase } from "./key-base";
import type { KeyMonitoring } from "./key-monitoring";
import { addPlanKeys } from "./plan-keys";
import { keyplaneProvider } from "./provider";

/** Where a stack keeps its Terraform state. */
export type StateBackend =
  /** A local state file `terraform.<stack>.tfstate` in `dir`, written relative to the stack's folder. */
  { local: { dir: string } } | { s3: { bucket: string; key: string; region: string; useLockfile: boolean } };

export interface KeyplaneStackOptions {
  /** Sandbox mode: providers point at this URL for KMS and STS (credentials: the standard chain); no monitoring. */
  sandboxUrl?: string;
  /** @default the plan's `backend`, else a local state file in the stack's own folder */
  backend?: StateBackend;
}

/**
 * One stack of `keyplane synth`: the keys of one account and region (centralized: the security account;
 * decentralized: an application account), with its provider (assuming the plan's deploy role in that
 * account) and backend. Replicas
 * live in the same stack behind an aliased provider per replica region, so a replica refers to its primary
 * without cross-stack state. The keys sit directly under the stack, so their construct paths are the plan's
 * (`<stack>/<key id>`, what findings name and suppressions match).
 */
export class KeyplaneStack extends TerraformStack {
  readonly keys: KeyBase[];
  readonly monitoring: KeyMonitoring | undefined;

  constructor(scope: Construct, derived: DerivedPlan, stackPlan: StackPlan, options: KeyplaneStackOptions) {
    super(scope, stackPlan.id);
    const providerProps = {
      deployRoleArn: stackPlan.deployRoleArn,
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
    this.configureBackend(stackPlan, options.backend ?? planBackend(derived));
    const { keys, monitoring } = addPlanKeys(
      this,
      derived,
      stackPlan,
      (region) => replicaProviders.get(region)!,
    );
    this.keys = keys;
    this.monitoring = monitoring;
    new TerraformOutput(this, "key_manifest", {
      description: "alias -> ARN, classification, application, service, origin (for runbooks)",
      value: Object.fromEntries(
        stackPlan.keys.map((key, index) => {
          const construct = keys[index]!;
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

  /** Local paths stay relative: an absolute one would make the synth output unportable. */
  private configureBackend(stackPlan: StackPlan, backend: StateBackend | undefined): void {
    const file = `terraform.${stackPlan.id}.tfstate`;
    if (!backend) {
      new LocalBackend(this, { path: file });
    } else if ("local" in backend) {
      new LocalBackend(this, { path: `${backend.local.dir.replace(/\/+$/, "")}/${file}` });
    } else {
      const { s3 } = backend;
      new S3Backend(this, {
        bucket: s3.bucket,
        key: `${s3.key}/${stackPlan.id}.tfstate`,
        region: s3.region,
        encrypt: true,
      });
      // S3-native state locking (Terraform 1.10+): no DynamoDB table to manage.
      if (s3.useLockfile) this.addOverride("terraform.backend.s3.use_lockfile", true);
    }
  }
}

/** The plan's own backend (sandbox mode ignores an S3 one: the sandbox has no S3). */
function planBackend(derived: DerivedPlan): StateBackend | undefined {
  const s3 = derived.sandbox ? undefined : derived.plan.backend?.s3;
  return s3 ? { s3 } : undefined;
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
