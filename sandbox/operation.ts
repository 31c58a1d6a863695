import type { Context } from "./context";
import type { Input, Output } from "./protocol";

export type Handler = (context: Context, input: Input) => Output | Promise<Output>;

export interface Operation {
  run: Handler;
  /** Whether a success changes state (and so is written to the state file before it is acknowledged). */
  mutates: boolean;
}

export type OperationTable = Readonly<Record<string, Operation>>;

export const reads = (run: Handler): Operation => ({ run, mutates: false });
export const writes = (run: Handler): Operation => ({ run, mutates: true });
