import { DAY_MS } from "../../vocabulary/durations";
import { CONTROL } from "../controls";
import type { KeyRule } from "../model";

export const unused: KeyRule = {
  id: "unused",
  scope: "key",
  severity: "low",
  description:
    "An enabled key with no cryptographic use for a long time (GetKeyLastUsage): a candidate to retire.",
  controls: [CONTROL.pci375, CONTROL.nistCryptoperiod],
  check(key, settings) {
    // Disabled, pending-import and pending-deletion keys cannot be used; other rules speak for them.
    if (key.metadata.KeyState !== "Enabled" || !key.lastUse) return [];
    const since = key.lastUse.at ?? key.lastUse.trackingStartedAt;
    if (!since) return [];
    const idleDays = Math.floor((key.observedAt.getTime() - since.getTime()) / DAY_MS);
    if (idleDays < settings.unusedDays) return [];
    const evidence = key.lastUse.at
      ? `last used ${key.lastUse.at.toISOString()} (${key.lastUse.operation ?? "?"}), ${idleDays} days ago`
      : `never used since tracking started ${since.toISOString()} (${idleDays} days)`;
    return [
      {
        evidence,
        fix: "confirm nothing needs it, then disable it for a while and schedule its deletion",
      },
    ];
  },
};
