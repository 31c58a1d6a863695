/**
 * Derivation: key plan -> the keys it asks for. Pure (no cdktf), so the CLI's `plan explain` and `plan lint`
 * share it with the synth.
 */
import { KEY_SPEC_INFO, type KeySpec, type KeyUsage } from "../../byok/vocabulary/key-specs";
import {
  DELETION_WINDOW_DAYS,
  MATERIAL_VALIDITY_DAYS,
  ROTATION_DAYS,
} from "../../byok/vocabulary/kms-limits";
import { ALL_SERVICES, TAG } from "../../byok/vocabulary/tags";
import { awsManagedKeyFor, type ServiceId } from "../policy/services";
import type { ApplicationSettings, ClassificationSettings, KeyPlan } from "./schema";

/** Reserved names of the stacks' own monitoring key (trail bucket, alert topic). */
export const MONITORING_APPLICATION = "keyplane";
export const MONITORING_CLASSIFICATION = "monitoring";

export interface DerivedKey {
  /** Construct id, unique within its stack. */
  id: string;
  /** Construct path `<stack>/<id>`: what findings name and suppressions match. */
  path: string;
  /** The id of the stack that creates it. */
  stack: string;
  /** Where in the plan the key comes from (YAML path). */
  source: string;
  alias: string;
  description: string;
  plan: string;
  application: string;
  classification: string;
  services: ServiceId[];
  /** The account that holds the key. */
  keyAccount: string;
  /** The account whose principals use the key (`kms:CallerAccount`). */
  callerAccount: string;
  region: string;
  origin: "AWS_KMS" | "EXTERNAL";
  keySpec: KeySpec;
  keyUsage: KeyUsage;
  /** Symmetric AWS_KMS keys: KMS rotation period; external keys: the on-demand rotation the plan demands. */
  rotationDays?: number;
  /** External keys: how long imported material may live. */
  materialValidityDays?: number;
  deletionWindowDays: number;
  replicaRegions: string[];
  administrators: string[];
  /**
   * Who runs `terraform apply` for the key's stack: the plan's deployRole in the key's account (the stack's
   * provider assumes it). Named in the key policy, so CreateKey's and PutKeyPolicy's lockout
   * safety check passes without bypassing it.
   */
  deployers: string[];
  custodians: string[];
  /**
   * Who reads the key without managing or using it: the custodians on keys they do not import into, because
   * the fleet scans they run (`expiry`, `rotation status`) read every key of the account to find their own.
   */
  readers: string[];
  users: string[];
  iamDelegation: boolean;
  /** The policy as its own `aws_kms_key_policy` resource (the plan's `policyAsResource`). */
  policyAsResource: boolean;
  tags: Record<string, string>;
}

/** A classification served by an AWS managed key: no key is created. */
export interface AwsManagedUse {
  source: string;
  application: string;
  classification: string;
  service: ServiceId;
  /** `aws/s3`, or "AWS owned key" for services without an AWS managed key. */
  awsManagedKey: string;
}

export interface StackPlan {
  id: string;
  account: string;
  region: string;
  /**
   * The plan's deployRole in the stack's account (centralized: the security account; decentralized: the
   * application account): the role the stack's provider assumes, named in every key policy as the deployer.
   */
  deployRoleArn: string;
  keys: DerivedKey[];
  /** The key of the trail bucket and alert topic, present when monitoring is on. */
  monitoringKey?: DerivedKey;
}

export interface DerivedPlan {
  plan: KeyPlan;
  /** Derived for the sandbox (monitoring off, local state). */
  sandbox: boolean;
  monitoring: boolean;
  stacks: StackPlan[];
  /** The plan's data keys (not the monitoring keys), in plan order. */
  keys: DerivedKey[];
  awsManaged: AwsManagedUse[];
}

export interface DeriveOptions {
  /** Sandbox mode: the sandbox speaks only KMS and STS, so monitoring is off whatever the plan says. */
  sandbox?: boolean;
}

export function derivePlan(plan: KeyPlan, options: DeriveOptions = {}): DerivedPlan {
  const monitoring = plan.monitoring && !options.sandbox;
  const stacks = new Map<string, StackPlan>();
  const keys: DerivedKey[] = [];
  const awsManaged: AwsManagedUse[] = [];
  for (const [application, app] of Object.entries(plan.applications)) {
    const stack = stackFor(plan, app, stacks);
    for (const [classification, services] of Object.entries(app.data)) {
      const settings = plan.classifications[classification]!;
      const source = `applications.${application}.data.${classification}`;
      if (settings.keys === "aws-managed") {
        for (const service of services) {
          awsManaged.push({
            source,
            application,
            classification,
            service,
            awsManagedKey: awsManagedKeyFor(service),
          });
        }
        continue;
      }
      const groups = settings.shareAcrossServices ? [services] : services.map((service) => [service]);
      for (const group of groups) {
        const key = deriveKey(plan, stack, {
          application,
          app,
          classification,
          settings,
          services: group,
          source,
        });
        stack.keys.push(key);
        keys.push(key);
      }
    }
  }
  const stackList = [...stacks.values()];
  if (monitoring) {
    for (const stack of stackList) stack.monitoringKey = deriveMonitoringKey(plan, stack);
  }
  return { plan, sandbox: options.sandbox === true, monitoring, stacks: stackList, keys, awsManaged };
}

function deployRoleArn(plan: KeyPlan, account: string): string {
  return `arn:aws:iam::${account}:role/${plan.deployRole}`;
}

function stackFor(plan: KeyPlan, app: ApplicationSettings, stacks: Map<string, StackPlan>): StackPlan {
  const centralized = plan.management === "centralized";
  const account = centralized ? plan.accounts.security : app.account;
  const id = centralized ? `${plan.name}-security-${plan.region}` : `${plan.name}-${account}-${plan.region}`;
  let stack = stacks.get(id);
  if (!stack) {
    stack = { id, account, region: plan.region, deployRoleArn: deployRoleArn(plan, account), keys: [] };
    stacks.set(id, stack);
  }
  return stack;
}

interface KeyRequest {
  application: string;
  app: ApplicationSettings;
  classification: string;
  settings: ClassificationSettings;
  services: ServiceId[];
  source: string;
}

function deriveKey(plan: KeyPlan, stack: StackPlan, request: KeyRequest): DerivedKey {
  const { application, classification, settings, services } = request;
  const shared = settings.shareAcrossServices === true;
  const serviceSegment = shared ? "shared" : services[0]!;
  const keySpec = settings.keySpec ?? "SYMMETRIC_DEFAULT";
  const keyUsage = settings.keyUsage ?? KEY_SPEC_INFO[keySpec].usages[0]!;
  const origin = settings.origin === "external" ? "EXTERNAL" : "AWS_KMS";
  const id = `${application}-${classification}-${serviceSegment}`;
  const key: DerivedKey = {
    id,
    path: `${stack.id}/${id}`,
    stack: stack.id,
    source: request.source,
    alias: `alias/${plan.name}/${application}/${classification}/${serviceSegment}`,
    description: `keyplane ${plan.name}: ${classification} data of ${application} (${services.join(", ")})`,
    plan: plan.name,
    application,
    classification,
    services,
    keyAccount: stack.account,
    callerAccount: request.app.account,
    region: stack.region,
    origin,
    keySpec,
    keyUsage,
    deletionWindowDays: settings.deletionWindowDays ?? DELETION_WINDOW_DAYS.default,
    replicaRegions: settings.multiRegion ? [...plan.replicaRegions] : [],
    administrators: [...plan.administrators],
    deployers: [stack.deployRoleArn],
    custodians: origin === "EXTERNAL" ? [...plan.custodians] : [],
    readers: origin === "EXTERNAL" ? [] : [...plan.custodians],
    users: [...request.app.users],
    iamDelegation: plan.iamDelegation,
    policyAsResource: plan.policyAsResource,
    tags: {},
  };
  const rotatable = KEY_SPEC_INFO[keySpec].autoRotatable;
  if (origin === "AWS_KMS" && rotatable) key.rotationDays = settings.rotationDays ?? ROTATION_DAYS.default;
  if (origin === "EXTERNAL") {
    if (settings.rotationDays !== undefined) key.rotationDays = settings.rotationDays;
    key.materialValidityDays = settings.materialValidityDays ?? MATERIAL_VALIDITY_DAYS.default;
  }
  key.tags = tagsOf(key, shared ? ALL_SERVICES : serviceSegment);
  return key;
}

function deriveMonitoringKey(plan: KeyPlan, stack: StackPlan): DerivedKey {
  const id = "keyplane-monitoring";
  const key: DerivedKey = {
    id,
    path: `${stack.id}/${id}`,
    stack: stack.id,
    source: "monitoring",
    alias: `alias/${plan.name}/${MONITORING_APPLICATION}/${MONITORING_CLASSIFICATION}/shared`,
    description: `keyplane ${plan.name}: key usage trail and alerts of ${stack.id}`,
    plan: plan.name,
    application: MONITORING_APPLICATION,
    classification: MONITORING_CLASSIFICATION,
    services: ["cloudtrail", "sns"],
    keyAccount: stack.account,
    callerAccount: stack.account,
    region: stack.region,
    origin: "AWS_KMS",
    keySpec: "SYMMETRIC_DEFAULT",
    keyUsage: "ENCRYPT_DECRYPT",
    rotationDays: ROTATION_DAYS.default,
    deletionWindowDays: DELETION_WINDOW_DAYS.default,
    replicaRegions: [],
    administrators: [...plan.administrators],
    deployers: [stack.deployRoleArn],
    custodians: [],
    readers: [...plan.custodians],
    users: [],
    iamDelegation: plan.iamDelegation,
    policyAsResource: plan.policyAsResource,
    tags: {},
  };
  key.tags = tagsOf(key, ALL_SERVICES);
  return key;
}

function tagsOf(key: DerivedKey, service: string): Record<string, string> {
  const tags: Record<string, string> = {
    [TAG.plan]: key.plan,
    [TAG.classification]: key.classification,
    [TAG.application]: key.application,
    [TAG.service]: service,
  };
  if (key.rotationDays !== undefined) tags[TAG.rotationDays] = String(key.rotationDays);
  if (key.materialValidityDays !== undefined)
    tags[TAG.materialValidityDays] = String(key.materialValidityDays);
  return tags;
}

/** Every key a stack creates, data keys first. */
export function stackKeys(stack: StackPlan): DerivedKey[] {
  return stack.monitoringKey ? [...stack.keys, stack.monitoringKey] : stack.keys;
}

/**
 * Every key the plan creates, stack by stack (each stack's data keys, then its monitoring key): the one
 * list `plan explain` prints, the budget counts and the guardrails check.
 */
export function createdKeys(derived: DerivedPlan): DerivedKey[] {
  return derived.stacks.flatMap(stackKeys);
}
