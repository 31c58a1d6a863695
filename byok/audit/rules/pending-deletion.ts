import { CONTROL } from "../controls";
import type { KeyRule } from "../model";
import { references } from "./references";

export const pendingDeletion: KeyRule = {
  id: "pending-deletion",
  scope: "key",
  severity: "high",
  description:
    "A key scheduled for deletion is still referenced: whatever uses it loses its data on deletion.",
  controls: [CONTROL.kms3, CONTROL.pci375],
  check(key) {
    if (key.metadata.KeyState !== "PendingDeletion") return [];
    const used = references(key);
    if (used.length === 0) return [];
    const date = key.metadata.DeletionDate?.toISOString() ?? "(unknown date)";
    return [
      {
        evidence: `deletion on ${date}; still referenced by ${used.join(", ")}`,
        fix: "CancelKeyDeletion until every reference is moved to another key, or remove the references first",
      },
    ];
  },
};
