import { App } from "cdktf";
import { KeyHierarchy } from "./constructs/key-hierarchy";
import { withoutCreationStacks } from "./creation-stacks";
import { addGuardrails } from "./guardrails/aspects";
import { SANDBOX_SUPPRESSIONS } from "./guardrails/lint-plan";
import { thresholdsFor } from "./guardrails/profiles";
import { type DerivedPlan, MONITORING_CLASSIFICATION } from "./plan/derive";

/** Builds (does not synthesize) the app for a derived plan, guardrail aspects attached. */
export function buildApp(derived: DerivedPlan, options: { sandboxUrl?: string; outdir?: string } = {}): App {
  // Stack traces in construct metadata cost time per construct and say nothing about a key plan.
  const app = new App({ stackTraces: false, ...(options.outdir ? { outdir: options.outdir } : {}) });
  withoutCreationStacks(
    () => new KeyHierarchy(app, derived, options.sandboxUrl ? { sandboxUrl: options.sandboxUrl } : {}),
  );
  const { plan } = derived;
  addGuardrails(app, {
    planName: plan.name,
    knownClassifications: [...Object.keys(plan.classifications), MONITORING_CLASSIFICATION],
    thresholds: thresholdsFor(plan.compliance),
    ...(plan.budget ? { maxKeys: plan.budget.maxKeys } : {}),
    suppressions: options.sandboxUrl ? [...plan.suppress, ...SANDBOX_SUPPRESSIONS] : plan.suppress,
  });
  return app;
}
