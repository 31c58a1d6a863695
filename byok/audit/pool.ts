/**
 * `--workers N`: the account-Region pairs spread over N worker threads. The AWS SDK costs ~2 ms of CPU per
 * request, so one thread is CPU-bound at a few account-Regions read at their quotas; worker threads use the
 * other cores. Each pair goes to one worker (the one with the fewest pairs in flight), so each account-Region
 * is paced by one pacer; a worker holds at most PAIRS_PER_WORKER pairs, the rest wait in order. Findings and
 * progress stream back as messages; a pair that fails comes back as an error and the others go on.
 */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { AuditTarget } from "./accounts";
import type { AuditError, AuditSettings, Finding } from "./model";
import type { PairClientOptions } from "./pair";
import type { PairMessage, PairRequest, WorkerSetup } from "./worker-protocol";

/** Pairs one worker reads side by side: each is paced to its own quotas, so many fit in one thread. */
const PAIRS_PER_WORKER = 64;

export interface PoolEvents {
  onFindings(findings: Finding[]): void;
  onError(error: AuditError): void;
  onProgress(pair: number, done: number, total: number): void;
}

interface Slot {
  worker: Worker;
  inFlight: Set<number>;
  alive: boolean;
}

export function auditInWorkers(
  pairs: readonly { target: AuditTarget; region: string }[],
  workers: number,
  setup: { options: PairClientOptions; settings: AuditSettings },
  events: PoolEvents,
): Promise<void> {
  if (pairs.length === 0) return Promise.resolve();
  const workerData: WorkerSetup = setup;
  const slots: Slot[] = [];
  let next = 0;
  let finished = 0;
  return new Promise<void>((resolve) => {
    const end = () => {
      for (const slot of slots) {
        slot.alive = false;
        void slot.worker.terminate();
      }
      resolve();
    };
    const settle = (error?: AuditError) => {
      if (error) events.onError(error);
      finished += 1;
      if (finished === pairs.length) end();
    };
    const dispatch = () => {
      while (next < pairs.length) {
        const free = slots
          .filter((slot) => slot.alive && slot.inFlight.size < PAIRS_PER_WORKER)
          .sort((a, b) => a.inFlight.size - b.inFlight.size)[0];
        if (!free) break;
        const id = next;
        next += 1;
        const pair = pairs[id] as { target: AuditTarget; region: string };
        free.inFlight.add(id);
        const request: PairRequest = { id, target: pair.target, region: pair.region };
        free.worker.postMessage(request);
      }
      // Every worker died: the pairs not sent are errors too, so the run still ends with a report.
      if (slots.every((slot) => !slot.alive)) {
        while (next < pairs.length) {
          const pair = pairs[next] as { target: AuditTarget; region: string };
          next += 1;
          settle(workerLost(pair.target, pair.region, "no worker thread is left"));
        }
      }
    };
    for (let index = 0; index < Math.min(workers, pairs.length); index += 1) {
      const slot: Slot = {
        worker: new Worker(join(__dirname, "worker.js"), { workerData }),
        inFlight: new Set(),
        alive: true,
      };
      slot.worker.on("message", (message: PairMessage) => {
        if (message.kind === "findings") events.onFindings(message.findings);
        else if (message.kind === "progress") events.onProgress(message.id, message.done, message.total);
        else {
          slot.inFlight.delete(message.id);
          settle(message.error);
          dispatch();
        }
      });
      const lost = (reason: string) => {
        if (!slot.alive) return;
        slot.alive = false;
        for (const id of [...slot.inFlight]) {
          slot.inFlight.delete(id);
          const pair = pairs[id] as { target: AuditTarget; region: string };
          settle(workerLost(pair.target, pair.region, reason));
        }
        dispatch();
      };
      slot.worker.on("error", (error) => lost(error.message));
      slot.worker.on("exit", (code) => lost(`exited with code ${code}`));
      slots.push(slot);
    }
    dispatch();
  });
}

function workerLost(target: AuditTarget, region: string, reason: string): AuditError {
  return {
    account: target.account,
    region,
    ...(target.roleArn ? { roleArn: target.roleArn } : {}),
    error: "WorkerFailed",
    message: `the worker thread reading this account-Region failed: ${reason.split("\n", 1)[0]}`,
  };
}
