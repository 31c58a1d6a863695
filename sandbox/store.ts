import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { KeyplaneError } from "../byok/errors";
import type { AliasRecord, GrantRecord, ImportParameters, KeyRecord, SandboxState } from "./model";

/**
 * The sandbox's state, in memory, optionally mirrored to a file. Every change is written as a whole snapshot
 * to a temporary file, fsynced and renamed over the state file before the request is answered, so a sandbox
 * killed at any moment restarts with every change it acknowledged and never with a half-written file.
 * Writes are synchronous: requests are handled on one thread, so concurrent requests cannot interleave.
 * Requests that change state close together share one write (group commit, `saveSoon`): each is still
 * answered only after a snapshot holding its change is on disk, and a fleet of changes costs a write per
 * batch instead of a whole snapshot per request.
 */
export class Store {
  readonly keys = new Map<string, KeyRecord>();
  readonly aliases = new Map<string, AliasRecord>();
  readonly grants = new Map<string, GrantRecord>();
  readonly importParameters = new Map<string, ImportParameters>();
  /** The clock offset saved with the state, if any. */
  clockOffsetMs: number | undefined;
  /**
   * The earliest sandbox time at which time changes anything (lifecycle.ts), as of the last walk over the
   * keys; -Infinity when a change since may have brought one closer. Not saved: a restart walks once.
   */
  nextTimeEvent = Number.NEGATIVE_INFINITY;
  private readonly file: string | undefined;
  private pendingSave: Promise<void> | undefined;

  constructor(file?: string) {
    this.file = file;
    if (file && existsSync(file)) this.restore(readState(file));
  }

  save(): void {
    if (!this.file) return;
    const temporary = `${this.file}.${process.pid}.tmp`;
    const descriptor = openSync(temporary, "w", 0o600);
    try {
      writeSync(descriptor, JSON.stringify(this.snapshot()));
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, this.file);
    syncDirectory(dirname(this.file));
  }

  /**
   * Resolves once a snapshot taken after this call is on disk. Changes made before the shared write starts
   * ride along with it; a change made during it waits for the next one.
   */
  saveSoon(): Promise<void> {
    if (!this.file) return Promise.resolve();
    this.pendingSave ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.pendingSave = undefined;
        try {
          this.save();
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
    return this.pendingSave;
  }

  snapshot(): SandboxState {
    return {
      version: 1,
      keys: [...this.keys.values()],
      aliases: [...this.aliases.values()],
      grants: [...this.grants.values()],
      importParameters: [...this.importParameters.values()],
      ...(this.clockOffsetMs === undefined ? {} : { clockOffsetMs: this.clockOffsetMs }),
    };
  }

  private restore(state: SandboxState): void {
    for (const key of state.keys) this.keys.set(key.arn, key);
    for (const alias of state.aliases) this.aliases.set(alias.arn, alias);
    for (const grant of state.grants) this.grants.set(grant.grantId, grant);
    for (const parameters of state.importParameters)
      this.importParameters.set(parameters.tokenId, parameters);
    if (typeof state.clockOffsetMs === "number") this.clockOffsetMs = state.clockOffsetMs;
  }
}

function readState(file: string): SandboxState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new KeyplaneError("FILE", `${file}: not a readable sandbox state file`, { cause: error });
  }
  const state = parsed as Partial<SandboxState> | null;
  if (
    state?.version !== 1 ||
    !Array.isArray(state.keys) ||
    !Array.isArray(state.aliases) ||
    !Array.isArray(state.grants) ||
    !Array.isArray(state.importParameters)
  ) {
    throw new KeyplaneError("FILE", `${file}: not a keyplane sandbox state file (version 1 expected)`);
  }
  return state as SandboxState;
}

/** Makes the rename itself durable (POSIX: the directory entry lives in the directory). */
function syncDirectory(directory: string): void {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(directory, "r");
    fsyncSync(descriptor);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}
