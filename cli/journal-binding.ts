import { callerIdentity } from "../byok/kms/caller";
import { bindOfflineModules, type OfflineBinding } from "../byok/offline-binding";
import type { GlobalOptions } from "./global-options";

/** The offline steps of an online command, journaling to `journalFile` with the STS caller in each record. */
export async function journaledSteps(
  options: GlobalOptions,
  journalFile: string | undefined,
): Promise<OfflineBinding> {
  if (!journalFile) return bindOfflineModules();
  return bindOfflineModules({ journalFile, caller: await callerIdentity(options) });
}
