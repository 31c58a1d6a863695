import type { IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { KeyHierarchy } from "../constructs/key-hierarchy";
import { MONITORING_CLASSIFICATION } from "../plan/derive";
import { loadPlanFile } from "../plan/load";
import type { ComplianceProfile, KeyPlan } from "../plan/schema";
import { GuardrailAspect, type GuardrailSettings } from "./aspects";
import type { Suppression } from "./evaluate";
import { thresholdsFor } from "./profiles";
import { RULES } from "./rules";

export interface KeyplaneGuardrailsProps {
  /**
   * The plan whose rules apply: its name, classifications, compliance profiles, budget and suppressions.
   * A loaded plan or the path of its YAML file.
   * @default the plan of the app's first KeyHierarchy; without one, the props below alone
   */
  plan?: KeyPlan | string;
  /** Profiles that tighten the baseline thresholds. @default the plan's, else baseline only */
  compliance?: readonly ComplianceProfile[];
  /** Classifications a key's `keyplane:classification` tag may name. @default the plan's */
  classifications?: readonly string[];
  /** Most keys the app may hold (the over-complication guard). @default the plan's budget, else none */
  maxKeys?: number;
  /** Findings to keep but not fail on, each with its reason. @default the plan's `suppress` */
  suppress?: readonly Suppression[];
}

/**
 * keyplane's guardrails as an Aspect for your own stacks (cdk-nag style): every keyplane key in the app
 * (KeyHierarchy's and hand-composed ManagedKey/ExternalKey) is checked once per synth; errors become error
 * annotations, which fail `app.synth()` before anything is written.
 *
 * ```ts
 * Aspects.of(stack).add(new KeyplaneGuardrails());
 * ```
 */
export class KeyplaneGuardrails implements IAspect {
  private aspect: GuardrailAspect | undefined;

  constructor(private readonly props: KeyplaneGuardrailsProps = {}) {
    if (typeof props.plan === "string") this.props = { ...props, plan: loadPlanFile(props.plan) };
  }

  visit(node: IConstruct): void {
    this.aspect ??= new GuardrailAspect(RULES, this.settingsFor(node.node.root));
    this.aspect.visit(node);
  }

  private settingsFor(root: IConstruct): GuardrailSettings {
    const plan = (this.props.plan as KeyPlan | undefined) ?? firstHierarchyPlan(root);
    const classifications = this.props.classifications ?? (plan ? Object.keys(plan.classifications) : []);
    const maxKeys = this.props.maxKeys ?? plan?.budget?.maxKeys;
    return {
      planName: plan?.name ?? "",
      knownClassifications: [...classifications, MONITORING_CLASSIFICATION],
      thresholds: thresholdsFor(this.props.compliance ?? plan?.compliance ?? []),
      ...(maxKeys === undefined ? {} : { maxKeys }),
      suppressions: this.props.suppress ?? plan?.suppress ?? [],
    };
  }
}

function firstHierarchyPlan(root: IConstruct): KeyPlan | undefined {
  const hierarchy = root.node.findAll().find((node): node is KeyHierarchy => node instanceof KeyHierarchy);
  return hierarchy?.derived.plan;
}
