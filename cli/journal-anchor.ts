import type { Command } from "commander";
import { verifyJournal } from "../byok/journal/journal";
import { say } from "./output";

/**
 * Every command that appends to `--journal` ends by printing the journal's last hash: anchored elsewhere
 * (a ticket, a signed note), it lets `byok journal verify --last-hash` detect removed tail lines, which a
 * hash chain alone cannot. Compared before and after the command, so only a run that wrote says it, on
 * success and on failure alike.
 */
export interface JournalAnchor {
  before(action: Command): void;
  /** Prints the anchor when the journal changed since `before`; `action` is absent on the error path. */
  after(action?: Command): void;
}

export function createJournalAnchor(): JournalAnchor {
  let journal: string | undefined;
  let hashBefore: string | undefined;
  return {
    before(action) {
      journal = action.optsWithGlobals<{ journal?: string }>().journal;
      hashBefore = journal === undefined ? undefined : lastHash(journal);
    },
    after() {
      if (journal === undefined) return;
      const file = journal;
      journal = undefined;
      let state: ReturnType<typeof verifyJournal>;
      try {
        state = verifyJournal(file);
      } catch {
        return;
      }
      if (state.entries === 0 || state.lastHash === hashBefore) return;
      say(
        `journal ${file}: ${state.entries} entries, last hash ${state.lastHash} (keep it for verify --last-hash)`,
      );
    },
  };
}

function lastHash(file: string): string | undefined {
  try {
    return verifyJournal(file).lastHash;
  } catch {
    return undefined;
  }
}
