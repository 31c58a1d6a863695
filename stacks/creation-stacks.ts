/** cdktf calls `captureStackTrace` through this module object for every token it creates. */
const cdktfStackTrace = require("cdktf/lib/tokens/private/stack-trace") as {
  captureStackTrace: typeof import("cdktf/lib/tokens/private/stack-trace").captureStackTrace;
};

/**
 * Runs `build` with cdktf's token creation stacks off. cdktf records where every token was created (each
 * attribute read such as `key.arn`, each computed block such as a resource's `timeouts`: three or so per
 * key) by capturing and formatting the whole call stack, whatever the App's `stackTraces` says, only to
 * name that place should the token never resolve. At 1,500 keys that was a tenth of the run, and cdktf
 * 0.21 has no switch for it: while `build` runs, the capture returns no frames (the workaround in
 * https://github.com/hashicorp/terraform-cdk/issues/3892), then it is put back. The synthesized output is
 * the same; Errors keep their own stacks.
 */
export function withoutCreationStacks<T>(build: () => T): T {
  const capture = cdktfStackTrace.captureStackTrace;
  cdktfStackTrace.captureStackTrace = () => [];
  try {
    return build();
  } finally {
    cdktfStackTrace.captureStackTrace = capture;
  }
}
