/**
 * The tag contract (DESIGN.md): every key the stacks create carries these; the CLI reads policy from them,
 * whoever created the key.
 */
export const TAG = {
  plan: "keyplane:plan",
  classification: "keyplane:classification",
  application: "keyplane:application",
  service: "keyplane:service",
  rotationDays: "keyplane:rotation-days",
  materialValidityDays: "keyplane:material-validity-days",
} as const;
export type TagKey = (typeof TAG)[keyof typeof TAG];

/** The value of `keyplane:service` on a key shared across an application's services. */
export const ALL_SERVICES = "*";

/** What the tags of one key say, parsed. Missing tags are undefined; numbers are validated. */
export interface KeyplaneTags {
  plan?: string;
  classification?: string;
  application?: string;
  service?: string;
  rotationDays?: number;
  materialValidityDays?: number;
}

export function parseKeyplaneTags(tags: readonly { TagKey?: string; TagValue?: string }[]): KeyplaneTags {
  const byKey = new Map(tags.map((t) => [t.TagKey ?? "", t.TagValue ?? ""]));
  const days = (key: string): number | undefined => {
    const raw = byKey.get(key);
    if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
    return Number(raw);
  };
  const result: KeyplaneTags = {};
  const plan = byKey.get(TAG.plan);
  const classification = byKey.get(TAG.classification);
  const application = byKey.get(TAG.application);
  const service = byKey.get(TAG.service);
  const rotationDays = days(TAG.rotationDays);
  const materialValidityDays = days(TAG.materialValidityDays);
  if (plan !== undefined) result.plan = plan;
  if (classification !== undefined) result.classification = classification;
  if (application !== undefined) result.application = application;
  if (service !== undefined) result.service = service;
  if (rotationDays !== undefined) result.rotationDays = rotationDays;
  if (materialValidityDays !== undefined) result.materialValidityDays = materialValidityDays;
  return result;
}
