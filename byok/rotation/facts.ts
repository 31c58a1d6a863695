import type { RotationKeyFacts } from "./model";
import type { ObservedRotation } from "./observe";

/** The rotation model's input from what observeRotation read (DescribeKey, rotation status and history, tags). */
export function rotationFacts(observed: ObservedRotation): RotationKeyFacts {
  const { metadata, aliases, tags, region } = observed.key;
  const facts: RotationKeyFacts = {
    keyArn: metadata.Arn ?? metadata.KeyId ?? "",
    region,
    aliases,
    keySpec: metadata.KeySpec ?? "SYMMETRIC_DEFAULT",
    keyUsage: metadata.KeyUsage ?? "ENCRYPT_DECRYPT",
    origin: metadata.Origin ?? "AWS_KMS",
    keyState: metadata.KeyState ?? "Enabled",
    creationDate: metadata.CreationDate ?? observed.observedAt,
    automaticRotationEnabled: observed.automaticEnabled,
  };
  const role = metadata.MultiRegionConfiguration?.MultiRegionKeyType;
  if (role === "PRIMARY" || role === "REPLICA") facts.multiRegionRole = role;
  if (observed.periodDays !== undefined) facts.rotationPeriodDays = observed.periodDays;
  if (observed.nextRotationDate) facts.nextRotationDate = observed.nextRotationDate;
  if (observed.lastRotationDate) facts.lastRotationDate = observed.lastRotationDate;
  if (observed.pendingMaterialId) facts.pendingMaterialId = observed.pendingMaterialId;
  if (tags.rotationDays !== undefined) facts.rotationDays = tags.rotationDays;
  if (metadata.ValidTo) facts.validTo = metadata.ValidTo;
  return facts;
}
