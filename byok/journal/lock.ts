/**
 * One writer at a time. A material flow locks its journal (`<journal>.lock`) and its escrow folder
 * (`<dir>/.keyplane.lock`) before anything else: two runs appending to one journal would both chain from
 * the same last line (the chain breaks for good), and two runs on one key could import new material twice.
 *
 * The lock is a file created with O_EXCL holding its holder (pid, host, start time, command). A lock whose
 * holder ran on this host and is no longer alive (killed, crashed) is stale and is taken over, so "rerun the
 * same command" works after a kill -9. A lock held from another host, or by a live process, is refused
 * with a message naming the holder; deleting the lock file clears it (docs/operations.md).
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { KeyplaneError } from "../errors";

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface HeldLock {
  readonly path: string;
  /** The stale holder this lock replaced, if any (the CLI says so). */
  readonly tookOverFrom: LockHolder | undefined;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<LockHolder>;
    if (typeof parsed.pid !== "number" || typeof parsed.host !== "string") return undefined;
    return {
      pid: parsed.pid,
      host: parsed.host,
      startedAt: String(parsed.startedAt ?? "?"),
      command: String(parsed.command ?? "?"),
    };
  } catch {
    return undefined;
  }
}

function tryCreate(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new KeyplaneError(
      "FILE",
      `${path}: cannot create the lock file (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      { cause: error },
    );
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Takes the lock at `path` for `command`, or throws naming who holds it. */
export function acquireLock(path: string, command: string, what: string): HeldLock {
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command,
  };
  let tookOverFrom: LockHolder | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (tryCreate(path, holder)) {
      let released = false;
      return {
        path,
        tookOverFrom,
        release: () => {
          if (released) return;
          released = true;
          // Only our own lock: a later holder's file is not ours to remove.
          if (readHolder(path)?.pid === holder.pid) rmSync(path, { force: true });
        },
      };
    }
    const current = readHolder(path);
    const stale = current !== undefined && current.host === holder.host && !alive(current.pid);
    if (!stale || attempt > 0) {
      const who = current
        ? `pid ${current.pid} on ${current.host} since ${current.startedAt} (${current.command})`
        : "an unreadable lock file";
      throw new KeyplaneError("FILE", `${what} is locked by ${who}`, {
        hint: `wait for that run to finish; if it is gone, delete ${path} and rerun`,
      });
    }
    tookOverFrom = current;
    rmSync(path, { force: true });
  }
  throw new KeyplaneError("INTERNAL", `${path}: could not take the lock`);
}
