import { ensureEscrowDirectory } from "../byok/escrow/manifest";
import { appendJournal } from "../byok/journal/journal";
import { acquireLock, type HeldLock } from "../byok/journal/lock";
import { EXIT } from "./exit-codes";

/**
 * Around a material flow: one writer at a time (locks on the journal and the escrow folder) and an orderly
 * interrupt. SIGINT or SIGTERM says where the flow stopped, appends an `interrupted` record (appends are
 * synchronous, so it cannot interleave with a step's own record), releases the locks and exits 130; the
 * same command run again finishes the flow (byok/steps resumes from journal, KMS and escrow).
 */
export interface FlowGuard {
  /** Where the flow is, for the interrupt message: the CLI's step listener sets it. */
  at(step: string, keyArn?: string): void;
  release(): void;
}

export function guardFlow(options: {
  flow: string;
  command: string;
  journalFile?: string | undefined;
  escrowDir?: string | undefined;
}): FlowGuard {
  const locks: HeldLock[] = [];
  let step = "start";
  let keyArn: string | null = null;
  const releaseAll = () => {
    for (const lock of locks.splice(0)) lock.release();
  };
  try {
    if (options.journalFile) {
      locks.push(
        acquireLock(`${options.journalFile}.lock`, options.command, `journal ${options.journalFile}`),
      );
    }
    if (options.escrowDir) {
      ensureEscrowDirectory(options.escrowDir);
      locks.push(
        acquireLock(
          `${options.escrowDir}/.keyplane.lock`,
          options.command,
          `escrow folder ${options.escrowDir}`,
        ),
      );
    }
  } catch (error) {
    releaseAll();
    throw error;
  }
  for (const lock of locks) {
    if (lock.tookOverFrom) {
      process.stderr.write(
        `keyplane: took over the stale lock ${lock.path} (pid ${lock.tookOverFrom.pid} is gone)\n`,
      );
    }
  }
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nkeyplane: interrupted at ${step}; rerun the same command to finish\n`);
    if (options.journalFile) {
      try {
        appendJournal(options.journalFile, `${options.flow}.interrupted`, {
          outcome: "failed",
          keyArn,
          step,
          signal,
        });
      } catch {
        // The journal may be what failed; the message above still tells the operator.
      }
    }
    releaseAll();
    process.exit(EXIT.interrupted);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    at(next, key) {
      step = next;
      if (key !== undefined) keyArn = key;
    },
    release() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      releaseAll();
    },
  };
}
