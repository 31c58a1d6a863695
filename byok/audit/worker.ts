/**
 * A worker thread of `keyplane audit --workers N`: reads the account-Region pairs the calling thread sends,
 * one KMS client and pacer per pair as in the calling thread, and posts findings back as each key yields
 * them. Roles are assumed here, once per account this worker reads (credentials never cross threads).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { AuditTarget } from "./accounts";
import { type AssumedRole, assumedRoleProvider } from "./credentials";
import type { Finding } from "./model";
import { auditPair, errorOf, type OpenAccount } from "./pair";
import type { PairMessage, PairRequest, WorkerSetup } from "./worker-protocol";

/** Findings are posted in batches of this many (or when the pair ends): fewer messages, little held back. */
const BATCH = 64;
/** Progress is posted at most this often per pair: the bar redraws a few times a second anyway. */
const PROGRESS_MS = 100;

const setup = workerData as WorkerSetup;
const port = parentPort;
const roles = new Map<string, Promise<AssumedRole>>();

function post(message: PairMessage): void {
  port?.postMessage(message);
}

async function open(target: AuditTarget): Promise<OpenAccount> {
  if (!target.roleArn) return { target };
  let role = roles.get(target.roleArn);
  if (!role) {
    role = assumedRoleProvider(target.roleArn, setup.options);
    roles.set(target.roleArn, role);
    // A refusal is reported for each pair that needed the role; the next pair tries again.
    role.catch(() => roles.delete(target.roleArn as string));
  }
  return { target, role: await role };
}

async function read({ id, target, region }: PairRequest): Promise<void> {
  let batch: Finding[] = [];
  const flush = () => {
    if (batch.length > 0) post({ kind: "findings", id, findings: batch });
    batch = [];
  };
  let lastProgress = 0;
  try {
    await auditPair(setup.options, setup.settings, await open(target), region, {
      emit: (findings) => {
        batch.push(...findings);
        if (batch.length >= BATCH) flush();
      },
      onKey: (done, total) => {
        const now = Date.now();
        if (done < total && now - lastProgress < PROGRESS_MS) return;
        lastProgress = now;
        post({ kind: "progress", id, done, total });
      },
    });
    flush();
    post({ kind: "done", id });
  } catch (error) {
    flush();
    post({ kind: "done", id, error: errorOf(target, error, region) });
  }
}

port?.on("message", (request: PairRequest) => {
  void read(request);
});
