import type { KeyRule } from "../model";
import { references } from "./references";

export const disabledReferenced: KeyRule = {
  id: "disabled-referenced",
  scope: "key",
  severity: "medium",
  description: "A disabled key is still referenced: whatever uses it fails until it is enabled again.",
  controls: [],
  check(key) {
    if (key.metadata.KeyState !== "Disabled") return [];
    const used = references(key);
    if (used.length === 0) return [];
    return [
      {
        evidence: `KeyState=Disabled; still referenced by ${used.join(", ")}`,
        fix: "move the references to a key in use, or EnableKey if the key is still needed",
      },
    ];
  },
};
