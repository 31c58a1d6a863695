import type { TerraformProvider } from "cdktf";
import type { Construct } from "constructs";
import type { DerivedKey, DerivedPlan, StackPlan } from "../plan/derive";
import { policyForKey } from "../plan/policy-for-key";
import { ExternalKey } from "./external-key";
import type { KeyBase } from "./key-base";
import { KeyMonitoring } from "./key-monitoring";
import { ManagedKey } from "./managed-key";

/** The constructs one stack of a plan creates. */
export interface PlanKeys {
  /** The plan's data keys of the stack, in plan order (the monitoring key is `monitoring.monitoringKey`). */
  keys: KeyBase[];
  monitoring: KeyMonitoring | undefined;
}

/**
 * Adds one derived stack's keys (and its monitoring, when the plan has it) to `scope`, with construct ids
 * from the plan. `replicaProvider` gives the provider of each replica region.
 */
export function addPlanKeys(
  scope: Construct,
  derived: DerivedPlan,
  stackPlan: StackPlan,
  replicaProvider: (region: string) => TerraformProvider,
): PlanKeys {
  const keys = stackPlan.keys.map((key) => addKey(scope, key, replicaProvider));
  let monitoring: KeyMonitoring | undefined;
  if (stackPlan.monitoringKey) {
    const { plan } = derived;
    monitoring = new KeyMonitoring(scope, "monitoring", {
      name: plan.name,
      account: stackPlan.account,
      region: stackPlan.region,
      monitoringKey: addKey(scope, stackPlan.monitoringKey, replicaProvider) as ManagedKey,
      externalKeys: keys.filter((key): key is ExternalKey => key instanceof ExternalKey),
      email: plan.alerts?.email ?? [],
      ...(plan.alerts ? { expiryWarningDays: plan.alerts.expiryWarningDays } : {}),
    });
  }
  return { keys, monitoring };
}

function addKey(
  scope: Construct,
  key: DerivedKey,
  replicaProvider: (region: string) => TerraformProvider,
): KeyBase {
  const common = {
    description: key.description,
    policy: policyForKey(key),
    tags: key.tags,
    aliases: [key.alias],
    deletionWindowDays: key.deletionWindowDays,
    policyAsResource: key.policyAsResource,
    replicas: key.replicaRegions.map((region) => ({
      region,
      provider: replicaProvider(region),
      policy: policyForKey(key, region).render(),
    })),
  };
  const rotation = key.rotationDays === undefined ? {} : { rotationDays: key.rotationDays };
  if (key.origin === "EXTERNAL") {
    const validity =
      key.materialValidityDays === undefined ? {} : { materialValidityDays: key.materialValidityDays };
    return new ExternalKey(scope, key.id, { ...common, ...rotation, ...validity });
  }
  return new ManagedKey(scope, key.id, {
    ...common,
    ...rotation,
    keySpec: key.keySpec,
    keyUsage: key.keyUsage,
  });
}
