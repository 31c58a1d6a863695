import {
  EVALUATOR_INSTALL,
  evaluatorInstalled,
  type PolicyJson,
} from "../../byok/vocabulary/policy-evaluation";
import type { DerivedKey } from "../plan/derive";
import { policyForKey } from "../plan/policy-for-key";
import { type KeyAccess, keyAccess, planPrincipals, policiesByPrincipal } from "./access";
import { identityPolicies, type RoleIdentityPolicy } from "./identity-policies";

export interface PlanAccess {
  keys: KeyAccess[];
  /** The IAM identity policy each principal needs outside the key policies (attach it to that role). */
  identityPolicies: RoleIdentityPolicy[];
}

/** The access matrix of a derived plan, with the identity policies it assumes. */
export function planAccess(planName: string, keys: readonly DerivedKey[]): PlanAccess {
  const roles = identityPolicies(planName, keys);
  const everyone = planPrincipals(keys);
  const policies = policiesByPrincipal(roles);
  return {
    keys: keys.map((key) => keyAccess(key, policyForKey(key).render(), everyone, policies)),
    identityPolicies: roles,
  };
}

/**
 * The guardrail evaluates each key's policies with the IAM evaluator, about 40 ms a key here: past this many
 * keys it would dominate synth (3 s for 1,500 keys), so it says it did not run instead (a warning), and
 * `keyplane plan access` evaluates the whole plan on demand.
 */
const GUARDRAIL_MAX_KEYS = 300;

/**
 * A principal of an account the plan never names, whose own IAM allows every KMS action: only a key policy
 * open to other accounts lets it in.
 */
const OUTSIDER = "arn:aws:iam::000000000000:role/keyplane-outsider";
const OUTSIDER_POLICY: PolicyJson = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }],
};

/**
 * The deviations of every key, as the guardrail checks them at synth: each key against its own principals
 * and one outsider (not every other application's users: that is `plan access`, quadratic in the plan).
 */
export function accessDeviations(
  planName: string,
  keys: readonly DerivedKey[],
): { path: string; message: string; notEvaluated?: true }[] {
  const planPath = keys[0]?.path.split("/")[0] ?? planName;
  if (!evaluatorInstalled()) {
    return [
      {
        path: planPath,
        message: `access matrix not evaluated: the IAM policy evaluator is not installed (AGPL-3.0-or-later, so opt-in: ${EVALUATOR_INSTALL})`,
        notEvaluated: true,
      },
    ];
  }
  if (keys.length > GUARDRAIL_MAX_KEYS) {
    return [
      {
        path: planPath,
        message: `access matrix not evaluated at synth for ${keys.length} keys (over ${GUARDRAIL_MAX_KEYS}: about 40 ms of policy evaluation per key)`,
        notEvaluated: true,
      },
    ];
  }
  const roles = identityPolicies(planName, keys);
  const planRoles = planPrincipals(keys);
  const policies = policiesByPrincipal(roles);
  policies.set(OUTSIDER, OUTSIDER_POLICY);
  return keys.flatMap((key) => {
    const own = [...key.administrators, ...key.deployers, ...key.custodians, ...key.users];
    const everyone = new Map(own.map((principal) => [principal, planRoles.get(principal) ?? []]));
    everyone.set(OUTSIDER, ["user"]);
    const access = keyAccess(key, policyForKey(key).render(), everyone, policies, { everyService: false });
    return access.deviations.map((message) => ({
      path: key.path,
      message,
    }));
  });
}
