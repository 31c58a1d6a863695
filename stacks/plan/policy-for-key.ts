import { KEY_SPEC_INFO } from "../../byok/vocabulary/key-specs";
import { KeyPolicy } from "../policy/key-policy";
import type { DerivedKey } from "./derive";

/**
 * Policies in the key's own region, built once per derived key: the synth's lint and its constructs read
 * the same one (a KeyPolicy's statements are frozen; nothing adds to it after this).
 */
const ownRegionPolicies = new WeakMap<DerivedKey, KeyPolicy>();

/** The key policy a derived key gets, in `region` (a replica's policy names its own region). */
export function policyForKey(key: DerivedKey, region: string = key.region): KeyPolicy {
  if (region !== key.region) return buildPolicy(key, region);
  let policy = ownRegionPolicies.get(key);
  if (!policy) {
    policy = buildPolicy(key, region);
    ownRegionPolicies.set(key, policy);
  }
  return policy;
}

function buildPolicy(key: DerivedKey, region: string): KeyPolicy {
  const symmetric = KEY_SPEC_INFO[key.keySpec].family === "symmetric";
  const policy = new KeyPolicy({ account: key.keyAccount, region })
    .allowAdministrators(key.administrators, { rotateOnDemand: key.origin === "AWS_KMS" })
    .allowDeployers(key.deployers.filter((deployer) => !key.administrators.includes(deployer)))
    .allowCustodians(key.custodians, { usage: key.keyUsage, symmetric })
    .allowReaders(key.readers)
    .allowUsers(key.users, {
      services: key.services,
      callerAccounts: [key.callerAccount],
      usage: key.keyUsage,
      symmetric,
    })
    .allowServicePrincipals(key.services, key.callerAccount);
  return key.iamDelegation ? policy.delegateToIam() : policy;
}
