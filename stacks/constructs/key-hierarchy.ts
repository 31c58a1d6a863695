import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type TerraformProvider, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { KeyplaneError } from "../../byok/errors";
import { type DerivedPlan, derivePlan, type StackPlan } from "../plan/derive";
import { loadPlanFile } from "../plan/load";
import type { KeyPlan } from "../plan/schema";
import type { KeyBase } from "./key-base";
import type { KeyMonitoring } from "./key-monitoring";
import { addPlanKeys } from "./plan-keys";

export interface KeyHierarchyProps {
  /** The key plan: one returned by `loadPlan`, or the path of its YAML file (read and validated here). */
  plan: KeyPlan | string;
  /**
   * Which of the plan's stacks (one per account x region) to build here, by id, as
   * `keyplane plan explain --output json` names them (e.g. `acme-security-us-east-1`).
   * @default the plan's only stack; required when the plan derives several
   */
  stack?: string;
  /**
   * Providers of the replica regions (`replicaRegions` of the plan), by region.
   * @default an aliased AwsProvider per replica region, created inside this construct with the region alone
   */
  replicaProviders?: Readonly<Record<string, TerraformProvider>>;
}

/**
 * A key plan's keys (and monitoring, when the plan has it) inside any TerraformStack that has an AWS
 * provider: one key per classification x application x service, with aliases, tags and role-based
 * policies. Reach a key through `key(alias)`: its `arn` and `keyId` are tokens other resources can use.
 * Add `KeyplaneGuardrails` to the stack to check it (and your own keys) at synth.
 */
export class KeyHierarchy extends Construct {
  readonly derived: DerivedPlan;
  /** The derived stack this construct builds. */
  readonly stackPlan: StackPlan;
  /** The plan's data keys, in plan order. */
  readonly keys: KeyBase[];
  readonly monitoring: KeyMonitoring | undefined;
  private readonly byAlias: Map<string, KeyBase>;

  constructor(scope: Construct, id: string, props: KeyHierarchyProps) {
    super(scope, id);
    if (props?.plan === undefined) {
      throw new KeyplaneError("PLAN", `${this.node.path}: plan: expected a loaded key plan or a file path`);
    }
    const stack = enclosingStack(this);
    requireAwsProvider(this, stack);
    const plan = typeof props.plan === "string" ? loadPlanFile(props.plan) : props.plan;
    this.derived = derivePlan(plan);
    this.stackPlan = this.chooseStack(props.stack);
    const providers = new Map<string, TerraformProvider>(Object.entries(props.replicaProviders ?? {}));
    const replicaProvider = (region: string): TerraformProvider => {
      let provider = providers.get(region);
      if (!provider) {
        provider = new AwsProvider(this, `aws-${region}`, { region, alias: `${this.node.id}-${region}` });
        providers.set(region, provider);
      }
      return provider;
    };
    const built = addPlanKeys(this, this.derived, this.stackPlan, replicaProvider);
    this.keys = built.keys;
    this.monitoring = built.monitoring;
    this.byAlias = new Map(this.stackPlan.keys.map((key, index) => [key.alias, built.keys[index]!]));
  }

  /** The key behind `alias` (`alias/<plan>/<application>/<classification>/<service>`). */
  key(alias: string): KeyBase {
    const key = this.byAlias.get(alias);
    if (!key) {
      const known = [...this.byAlias.keys()];
      throw new KeyplaneError(
        "PLAN",
        `${this.node.path}: no key with alias '${alias}' (known: ${known.join(", ") || "none"})`,
      );
    }
    return key;
  }

  private chooseStack(wanted: string | undefined): StackPlan {
    const { stacks, plan } = this.derived;
    const ids = stacks.map((stack) => stack.id).join(", ");
    if (wanted === undefined) {
      if (stacks.length === 1) return stacks[0]!;
      throw new KeyplaneError(
        "PLAN",
        `${this.node.path}: stack: plan '${plan.name}' derives ${stacks.length} stacks; name one of: ${ids || "none"}`,
      );
    }
    const found = stacks.find((stack) => stack.id === wanted);
    if (!found) {
      throw new KeyplaneError(
        "PLAN",
        `${this.node.path}: stack: '${wanted}' is not a stack of plan '${plan.name}' (known: ${ids})`,
      );
    }
    return found;
  }
}

function enclosingStack(construct: Construct): TerraformStack {
  const stack = construct.node.scopes.find((scope): scope is TerraformStack => TerraformStack.isStack(scope));
  if (!stack) {
    throw new KeyplaneError("PLAN", `${construct.node.path}: a KeyHierarchy belongs inside a TerraformStack`);
  }
  return stack;
}

/** The keys use the stack's default AWS provider: without one, Terraform would fail much later. */
function requireAwsProvider(construct: Construct, stack: TerraformStack): void {
  const found = stack.node.findAll().some((node) => {
    // Duck-typed: the user's app may hold its own copy of cdktf.
    const element = node as Partial<Pick<TerraformProvider, "terraformResourceType" | "alias">>;
    return element.terraformResourceType === "aws" && element.alias === undefined;
  });
  if (!found) {
    throw new KeyplaneError(
      "PLAN",
      `${construct.node.path}: stack ${stack.node.id} has no default AWS provider (add new AwsProvider(stack, "aws", { region }) before the KeyHierarchy)`,
    );
  }
}
