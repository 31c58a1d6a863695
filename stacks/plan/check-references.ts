/**
 * Rules that need more than one field of the plan: every error names the YAML path and what was expected.
 * Returns the first problem as `<yaml path>: <message>`, or undefined.
 */
import { KEY_SPEC_INFO } from "../../byok/vocabulary/key-specs";
import { MONITORING_APPLICATION, MONITORING_CLASSIFICATION } from "./derive";
import type { KeyPlan } from "./schema";

export function checkReferences(plan: KeyPlan): string | undefined {
  const known = Object.keys(plan.classifications);
  if (known.includes(MONITORING_CLASSIFICATION)) {
    return `classifications.${MONITORING_CLASSIFICATION}: reserved for the stacks' own monitoring key; choose another name`;
  }
  if (MONITORING_APPLICATION in plan.applications) {
    return `applications.${MONITORING_APPLICATION}: reserved for the stacks' own monitoring key; choose another name`;
  }
  for (const [name, settings] of Object.entries(plan.classifications)) {
    const problem = checkClassification(plan, name, settings);
    if (problem) return problem;
  }
  for (const [application, settings] of Object.entries(plan.applications)) {
    for (const [classification, services] of Object.entries(settings.data)) {
      if (!known.includes(classification)) {
        return `applications.${application}.data.${classification}: unknown classification '${classification}' (known: ${known.join(", ")})`;
      }
      const twice = services.findIndex((service, index) => services.indexOf(service) !== index);
      if (twice >= 0) {
        return `applications.${application}.data.${classification}[${twice}]: service '${services[twice]}' is listed twice`;
      }
    }
  }
  if (plan.backend?.local && plan.backend.s3) {
    return "backend: give local or s3, not both";
  }
  if (plan.backend && !plan.backend.local && !plan.backend.s3) {
    return "backend: expected local: { dir } or s3: { bucket, key, region }";
  }
  if (plan.replicaRegions.includes(plan.region)) {
    return `replicaRegions: '${plan.region}' is the plan's own region; expected other regions`;
  }
  const repeated = plan.replicaRegions.findIndex(
    (region, index) => plan.replicaRegions.indexOf(region) !== index,
  );
  if (repeated >= 0) {
    return `replicaRegions[${repeated}]: '${plan.replicaRegions[repeated]}' is listed twice`;
  }
  return undefined;
}

function checkClassification(
  plan: KeyPlan,
  name: string,
  settings: KeyPlan["classifications"][string],
): string | undefined {
  const at = `classifications.${name}`;
  if (settings.keys === "aws-managed") {
    const extra = Object.keys(settings).filter((field) => field !== "keys");
    if (extra.length > 0) {
      return `${at}.${extra[0]}: not allowed with keys: aws-managed (AWS manages those keys; remove it)`;
    }
    return undefined;
  }
  const keySpec = settings.keySpec ?? "SYMMETRIC_DEFAULT";
  const info = KEY_SPEC_INFO[keySpec];
  if (settings.keyUsage && !info.usages.includes(settings.keyUsage)) {
    return `${at}.keyUsage: ${keySpec} keys allow ${info.usages.join(" or ")}, got '${settings.keyUsage}'`;
  }
  if (settings.origin === "external" && keySpec !== "SYMMETRIC_DEFAULT") {
    return `${at}.keySpec: external keys (aws_kms_external_key) are SYMMETRIC_DEFAULT only, got '${keySpec}'`;
  }
  if (settings.rotationDays !== undefined && !info.autoRotatable) {
    return `${at}.rotationDays: KMS rotates only symmetric encryption keys, and this one is ${keySpec} (remove rotationDays)`;
  }
  if (settings.materialValidityDays !== undefined && settings.origin !== "external") {
    return `${at}.materialValidityDays: only for origin: external (imported material), got origin ${settings.origin ?? "aws"}`;
  }
  if (settings.multiRegion && plan.replicaRegions.length === 0) {
    return `${at}.multiRegion: needs replicaRegions at the top level (where to replicate), got none`;
  }
  return undefined;
}
