import type { ExpiryKeyFacts, ExpiryMaterialFacts } from "./model";
import type { ObservedExternalKey } from "./scan";

/** The expiry model's input from what scanExternalKeys read (DescribeKey, ListKeyRotations, tags). */
export function expiryFacts(observed: ObservedExternalKey): ExpiryKeyFacts {
  const { metadata, aliases, tags, region } = observed.key;
  const facts: ExpiryKeyFacts = {
    keyArn: metadata.Arn ?? metadata.KeyId ?? "",
    region,
    aliases,
    keySpec: metadata.KeySpec ?? "SYMMETRIC_DEFAULT",
    keyState: metadata.KeyState ?? "Enabled",
    materials: observed.materials.map((material) => {
      const facts: ExpiryMaterialFacts = { importState: material.importState };
      if (material.keyMaterialId) facts.keyMaterialId = material.keyMaterialId;
      if (material.materialState) facts.materialState = material.materialState;
      if (material.expirationModel) facts.expirationModel = material.expirationModel;
      if (material.validTo) facts.validTo = material.validTo;
      return facts;
    }),
  };
  if (tags.materialValidityDays !== undefined) facts.materialValidityDays = tags.materialValidityDays;
  return facts;
}
