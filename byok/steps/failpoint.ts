/**
 * Crash-test hooks (etcd's failpoints): with KEYPLANE_FAILPOINT=<name>, the process kills itself with
 * SIGKILL when it reaches the point of that name — no cleanup, no journal record, exactly what a power cut
 * or `kill -9` leaves. test/e2e/crash-matrix.test.ts stops every material flow at every boundary this way
 * and checks that a rerun converges. Inert unless the variable names the point.
 */
export function failpoint(name: string): void {
  if (process.env.KEYPLANE_FAILPOINT === name) process.kill(process.pid, "SIGKILL");
}
