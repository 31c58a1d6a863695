/** Each guardrail as a cdktf Aspect (cdk-nag style): the same pure rules, over the constructs at synth. */
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

/** Gathered once per app (every rule reads the same view), after construction, at synth. */
const contexts = new WeakMap<IConstruct, GuardrailContext>();

function contextFor(root: IConstruct, settings: GuardrailSettings): GuardrailContext {
  let context = contexts.get(root);
  if (!context) {
    const nodes = root.node.findAll();
    const stacks = nodes.filter((node): node is TerraformStack => node instanceof TerraformStack);
    context = {
      ...settings,
      stacks: stacks.map((stack) => ({
        path: stack.node.path,
        monitoring: stack.node.children.some((child) => child instanceof KeyMonitoring),
      })),
      keys: nodes.flatMap((node) => (isGuardedKeySource(node) ? [node.guardedKey()] : [])),
    };
    contexts.set(root, context);
  }
  return context;
}

export class GuardrailAspect implements IAspect {
  constructor(
    readonly rule: Rule,
    private readonly settings: GuardrailSettings,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformStack)) return;
    const stacks = node.node.root.node.children.filter((child) => child instanceof TerraformStack);
    const first = stacks[0] === node;
    const findings = evaluate(contextFor(node.node.root, this.settings), this.settings.suppressions, [
      this.rule,
    ]);
    for (const finding of findings) {
      const inStack = finding.path === node.node.path || finding.path.startsWith(`${node.node.path}/`);
      const planWide = !stacks.some((stack) => finding.path.startsWith(stack.node.path));
      if (inStack || (planWide && first)) annotate(node, finding);
    }
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
 * Adds every rule to every stack under `scope`. On the stacks themselves: cdktf invokes aspects per stack,
 * starting at the stack, so aspects added to the App alone would never run.
 */
export function addGuardrails(scope: IConstruct, settings: GuardrailSettings): GuardrailAspect[] {
  const aspects = RULES.map((rule) => new GuardrailAspect(rule, settings));
  for (const stack of scope.node.findAll().filter((node) => node instanceof TerraformStack)) {
    for (const aspect of aspects) Aspects.of(stack).add(aspect);
  }
  return aspects;
}
