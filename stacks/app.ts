import { App } from "cdktf";
import { KeyplaneStack, type KeyplaneStackOptions } from "./constructs/keyplane-stack";
import { withoutCreationStacks } from "./creation-stacks";
import type { DerivedPlan } from "./plan/derive";

export interface BuildOptions extends KeyplaneStackOptions {
  /** Where `synth()` writes (`<outdir>/stacks/<stack>/cdk.tf.json`). @default cdktf's (CDKTF_OUTDIR or cdktf.out) */
  outdir?: string;
}

/**
 * Builds (does not synthesize) the app for a derived plan: one KeyplaneStack per account x region. The
 * guardrails are not attached: the synth runs them once, over the derived plan, before building (lintPlan).
 */
export function buildApp(derived: DerivedPlan, options: BuildOptions = {}): App {
  const { outdir, ...stackOptions } = options;
  // Stack traces in construct metadata cost time per construct and say nothing about a key plan.
  const app = new App({ stackTraces: false, ...(outdir ? { outdir } : {}) });
  withoutCreationStacks(() => {
    for (const stackPlan of derived.stacks) new KeyplaneStack(app, derived, stackPlan, stackOptions);
  });
  return app;
}
