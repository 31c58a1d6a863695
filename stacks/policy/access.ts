/**
 * The access matrix: what each principal of a plan can do with each key, decided by evaluating the
 * synthesized key policy and identity policies with the same evaluator the sandbox enforces with
 * (byok/vocabulary/policy-evaluation), and compared with the plan's intent.
 */
import { evaluate, type PolicyJson } from "../../byok/vocabulary/policy-evaluation";
import type { DerivedKey } from "../plan/derive";
import type { Role, RoleIdentityPolicy } from "./identity-policies";
import { SERVICE_IDS, type ServiceId, serviceInfo } from "./services";

export interface PrincipalAccess {
  principal: string;
  roles: (Role | "other-application")[];
  administer: boolean;
  import: boolean;
  /** Services through which the principal can use the key for data (`direct`: without any service). */
  use: string[];
  grant: boolean;
  read: boolean;
}

export interface KeyAccess {
  path: string;
  alias: string;
  principals: PrincipalAccess[];
  deviations: string[];
}

const DIRECT = "direct";

/** The action that reads data under a key, by usage: what "use" means in the matrix. */
function useAction(key: DerivedKey): string {
  if (key.keyUsage === "GENERATE_VERIFY_MAC") return "kms:GenerateMac";
  if (key.keyUsage === "SIGN_VERIFY") return "kms:Sign";
  return "kms:Decrypt";
}

/** How IAM names a role's session (the request's principal); users sign as themselves. */
function sessionOf(arn: string): string {
  const match = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
  return match ? `arn:${match[1]}:sts::${match[2]}:assumed-role/${match[3]}/keyplane` : arn;
}

const accountOf = (arn: string) => arn.split(":")[4] ?? "";

/**
 * One key's matrix. `everyone` is every principal of the plan with its roles (other applications' users
 * included: they must not reach this key); `policies` the identity policy per principal.
 */
export function keyAccess(
  key: DerivedKey,
  keyPolicy: string,
  everyone: ReadonlyMap<string, readonly Role[]>,
  policies: ReadonlyMap<string, PolicyJson>,
  options: { everyService: boolean } = { everyService: true },
): KeyAccess {
  // One ARN for every key of an account: the policies name keys by `*` or `key/*`, and the evaluator's
  // remembered decisions then serve every key whose policy text is the same.
  const keyArn = `arn:aws:kms:${key.region}:${key.keyAccount}:key/keyplane-plan-key`;
  const services = probedServices(key, options.everyService);
  const principals: PrincipalAccess[] = [];
  for (const [principal, planRoles] of everyone) {
    const roles: PrincipalAccess["roles"] = rolesOnKey(key, principal, planRoles);
    const identity = policies.get(principal);
    const allowed = (action: string, context: Record<string, string | string[]> = {}) =>
      evaluate({
        principal: sessionOf(principal),
        action,
        resource: keyArn,
        resourceAccount: key.keyAccount,
        keyPolicy,
        identityPolicies: identity ? [identity] : [],
        context: {
          "aws:PrincipalArn": principal,
          "aws:PrincipalAccount": accountOf(principal),
          "kms:CallerAccount": accountOf(principal),
          ...context,
        },
      }).result === "Allowed";
    type Values = Record<string, string | string[]>;
    const via = (service: ServiceId | typeof DIRECT): Values =>
      service === DIRECT
        ? {}
        : { "kms:ViaService": `${serviceInfo(service).viaService}.${key.region}.amazonaws.com` };
    // Data's encryption context never carries the verify step's key: what a service would send.
    const dataContext: Values =
      key.keyUsage === "ENCRYPT_DECRYPT"
        ? {
            "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::data/object",
            "kms:EncryptionContextKeys": ["aws:s3:arn"],
          }
        : {};
    principals.push({
      principal,
      roles,
      administer: allowed("kms:PutKeyPolicy"),
      import: allowed("kms:ImportKeyMaterial"),
      use: services.filter((service) => allowed(useAction(key), { ...via(service), ...dataContext })),
      grant: services.some((service) =>
        allowed("kms:CreateGrant", {
          ...via(service),
          "kms:GrantIsForAWSResource": service === DIRECT ? "false" : "true",
        }),
      ),
      read: allowed("kms:DescribeKey"),
    });
  }
  return { path: key.path, alias: key.alias, principals, deviations: deviations(key, principals) };
}

/**
 * The services a use is tried through: every one the stacks know, or (the synth guardrail, which must stay
 * fast on thousands of keys) no service, the key's own, and one it does not serve: key policies list
 * services by exact name, so one outside service stands for all.
 */
function probedServices(key: DerivedKey, everyService: boolean): (ServiceId | typeof DIRECT)[] {
  if (everyService) return [DIRECT, ...SERVICE_IDS];
  const other = SERVICE_IDS.find((service) => !key.services.includes(service));
  return [DIRECT, ...key.services, ...(other ? [other] : [])];
}

/** Roles are the plan's (administrators and custodians hold them on every key); users are per application. */
function rolesOnKey(
  key: DerivedKey,
  principal: string,
  planRoles: readonly Role[],
): PrincipalAccess["roles"] {
  const roles: PrincipalAccess["roles"] = planRoles.filter((role) => role !== "user");
  if (key.users.includes(principal)) roles.push("user");
  else if (planRoles.includes("user")) roles.push("other-application");
  return roles;
}

/** Where the evaluated access departs from the plan's intent, one sentence each. */
function deviations(key: DerivedKey, principals: readonly PrincipalAccess[]): string[] {
  const found: string[] = [];
  for (const access of principals) {
    const { principal, roles, use } = access;
    if (use.length > 0) {
      if (roles.includes("administrator") || roles.includes("deployer")) {
        found.push(`${principal} administers ${key.alias} and can also use it (${use.join(", ")})`);
      }
      if (roles.includes("custodian")) {
        found.push(
          `${principal} is a custodian and can decrypt or use data under ${key.alias} (${use.join(", ")})`,
        );
      }
      if (roles.includes("other-application") && !roles.includes("user")) {
        found.push(`${principal} (another application) can use ${key.alias} (${use.join(", ")})`);
      }
      if (roles.includes("user")) {
        const outside = use.filter(
          (service) => service === DIRECT || !key.services.includes(service as ServiceId),
        );
        if (outside.length > 0) {
          found.push(`${principal} can use ${key.alias} outside its services (${outside.join(", ")})`);
        }
        if (accountOf(principal) !== key.callerAccount) {
          found.push(
            `${principal} can use ${key.alias} from account ${accountOf(principal)}, not ${key.callerAccount}`,
          );
        }
      }
    }
    if (access.import && !roles.includes("custodian")) {
      found.push(`${principal} can import material into ${key.alias} but is no custodian`);
    }
  }
  const administrators = principals.filter(
    (access) => access.roles.includes("administrator") && access.administer,
  );
  if (administrators.length === 0)
    found.push(`nobody of the plan's administrators can administer ${key.alias} (lockout)`);
  if (
    key.users.length > 0 &&
    !principals.some((access) => access.roles.includes("user") && access.use.length > 0)
  ) {
    found.push(`none of ${key.application}'s users can use ${key.alias} through ${key.services.join(", ")}`);
  }
  if (
    key.origin === "EXTERNAL" &&
    key.custodians.length > 0 &&
    !principals.some((access) => access.roles.includes("custodian") && access.import)
  ) {
    found.push(`no custodian can import material into ${key.alias}`);
  }
  return found;
}

/** Every principal the plan names, with its roles across all keys. */
export function planPrincipals(keys: readonly DerivedKey[]): Map<string, Role[]> {
  const everyone = new Map<string, Set<Role>>();
  const add = (principal: string, role: Role) => {
    const roles = everyone.get(principal) ?? new Set<Role>();
    roles.add(role);
    everyone.set(principal, roles);
  };
  for (const key of keys) {
    for (const principal of key.administrators) add(principal, "administrator");
    for (const principal of key.deployers) add(principal, "deployer");
    for (const principal of key.custodians) add(principal, "custodian");
    for (const principal of key.users) add(principal, "user");
  }
  return new Map([...everyone].map(([principal, roles]) => [principal, [...roles].sort()]));
}

/** Identity policies by principal, as the evaluator takes them. */
export function policiesByPrincipal(policies: readonly RoleIdentityPolicy[]): Map<string, PolicyJson> {
  return new Map(policies.map((entry) => [entry.principal, entry.policy as unknown as PolicyJson]));
}
