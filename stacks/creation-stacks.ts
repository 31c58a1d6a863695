/** The module cdktf calls `captureStackTrace` through for every token it creates (cdktf 0.21's layout). */
export interface StackTraceModule {
  captureStackTrace: (...args: never[]) => string[];
}

/**
 * cdktf's private module, or undefined when it moved: the patch below is only a speed-up, so a cdktf whose
 * internals changed (an `exports` map, another file layout, a bundle) synthesizes the slow way, never fails.
 */
export function loadStackTraceModule(
  id = "cdktf/lib/tokens/private/stack-trace",
): StackTraceModule | undefined {
  try {
    const loaded = require(id) as Partial<StackTraceModule>;
    return typeof loaded.captureStackTrace === "function" ? (loaded as StackTraceModule) : undefined;
  } catch {
    return undefined;
  }
}

const cdktfStackTrace = loadStackTraceModule();

/**
 * Runs `build` with cdktf's token creation stacks off. cdktf records where every token was created (each
 * attribute read such as `key.arn`, each computed block such as a resource's `timeouts`: three or so per
 * key) by capturing and formatting the whole call stack, whatever the App's `stackTraces` says, only to
 * name that place should the token never resolve. At 1,500 keys that was a tenth of the run, and cdktf
 * 0.21 has no switch for it: while `build` runs, the capture returns no frames (the workaround in
 * https://github.com/hashicorp/terraform-cdk/issues/3892), then it is put back. The synthesized output is
 * the same; Errors keep their own stacks. `module` is for tests (a stand-in for cdktf's, or none).
 */
export function withoutCreationStacks<T>(
  build: () => T,
  module: StackTraceModule | undefined = cdktfStackTrace,
): T {
  if (!module) return build();
  const capture = module.captureStackTrace;
  try {
    module.captureStackTrace = () => [];
  } catch {
    // A frozen or getter-only export (an ESM build of cdktf): run unpatched.
    return build();
  }
  try {
    return build();
  } finally {
    module.captureStackTrace = capture;
  }
}
