/** The guardrails as a cdktf Aspect (cdk-nag style): the same pure rules, over the constructs at synth. */
import { Annotations, Aspects, type IAspect, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { KeyMonitoring } from "../constructs/key-monitoring";
import { isGuardedKeySource } from "../constructs/key-props";
import { evaluate, type Suppression } from "./evaluate";
import type { Finding, GuardrailContext, Rule } from "./rule";
import { RULES } from "./rules";

export type GuardrailSettings = Omit<GuardrailContext, "stacks" | "keys"> & {
  suppressions: readonly Suppression[];
};

/** A finding and whether it belongs to no stack (the plan's own, such as the budget). */
interface Placed {
  finding: Finding;
  planWide: boolean;
}

/** Gathered once per app (every rule reads the same view), after construction, at synth. */
function contextFor(root: IConstruct, settings: GuardrailSettings): GuardrailContext {
  const nodes = root.node.findAll();
  const stacks = nodes.filter((node): node is TerraformStack => node instanceof TerraformStack);
  // Anywhere in the stack: a KeyHierarchy in a user's stack holds its monitoring one level down.
  const monitored = new Set(
    nodes.filter((node) => node instanceof KeyMonitoring).map((node) => TerraformStack.of(node)),
  );
  return {
    ...settings,
    stacks: stacks.map((stack) => ({ path: stack.node.path, monitoring: monitored.has(stack) })),
    keys: nodes.flatMap((node) => (isGuardedKeySource(node) ? [node.guardedKey()] : [])),
  };
}

/**
 * The rule pack as one Aspect: cdktf visits every construct of a stack once per aspect, so one aspect for
 * all rules rather than one per rule (at 1,500 keys, twelve aspects meant 58,000 visits). The rules
 * run once per app, not once per stack; each stack then takes its own findings.
 */
export class GuardrailAspect implements IAspect {
  private readonly reports = new WeakMap<IConstruct, Placed[]>();

  constructor(
    readonly rules: readonly Rule[],
    private readonly settings: GuardrailSettings,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformStack)) return;
    const root = node.node.root;
    const first = root.node.children.find((child) => child instanceof TerraformStack) === node;
    const path = node.node.path;
    for (const { finding, planWide } of this.reportFor(root)) {
      const inStack = finding.path === path || finding.path.startsWith(`${path}/`);
      if (inStack || (planWide && first)) annotate(node, finding);
    }
  }

  private reportFor(root: IConstruct): Placed[] {
    let report = this.reports.get(root);
    if (!report) {
      const stacks = root.node.children.filter((child) => child instanceof TerraformStack);
      const findings = evaluate(contextFor(root, this.settings), this.settings.suppressions, this.rules);
      report = findings.map((finding) => ({
        finding,
        planWide: !stacks.some((stack) => finding.path.startsWith(stack.node.path)),
      }));
      this.reports.set(root, report);
    }
    return report;
  }
}

function annotate(node: IConstruct, finding: Finding): void {
  const text = `[${finding.rule}] ${finding.path}: ${finding.message} (fix: ${finding.fix})`;
  const annotations = Annotations.of(node);
  if (finding.suppressed !== undefined) annotations.addInfo(`${text} suppressed: ${finding.suppressed}`);
  else if (finding.severity === "error") annotations.addError(text);
  else annotations.addWarning(text);
}

/**
 * Adds the rules to every stack under `scope`. On the stacks themselves: cdktf invokes aspects per stack,
 * starting at the stack, so aspects added to the App alone would never run.
 */
export function addGuardrails(scope: IConstruct, settings: GuardrailSettings): GuardrailAspect {
  const aspect = new GuardrailAspect(RULES, settings);
  for (const stack of scope.node.findAll().filter((node) => node instanceof TerraformStack)) {
    Aspects.of(stack).add(aspect);
  }
  return aspect;
}
