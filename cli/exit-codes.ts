/** Exit codes of the command contract (DESIGN.md). */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  /** Attention needed: keys due for rotation, material expiring or expired. */
  attention: 3,
  /** Stopped by SIGINT or SIGTERM (128 + 2, the shell's convention); rerunning finishes the flow. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
