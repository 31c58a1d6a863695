/** Messages between the audit's calling thread (pool.ts) and its worker threads (worker.ts). */
import type { AuditTarget } from "./accounts";
import type { AuditError, AuditSettings, Finding } from "./model";
import type { PairClientOptions } from "./pair";

/** `workerData` of each worker. */
export interface WorkerSetup {
  options: PairClientOptions;
  settings: AuditSettings;
}

/** To a worker: read one account-Region pair (`id` numbers it for the answers). */
export interface PairRequest {
  id: number;
  target: AuditTarget;
  region: string;
}

/** From a worker, about pair `id`: findings as they come, progress, then done (with its error if it failed). */
export type PairMessage =
  | { kind: "findings"; id: number; findings: Finding[] }
  | { kind: "progress"; id: number; done: number; total: number }
  | { kind: "done"; id: number; error?: AuditError };
