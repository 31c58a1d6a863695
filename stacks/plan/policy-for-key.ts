import { KEY_SPEC_INFO } from "../../byok/vocabulary/key-specs";
import type { DerivedKey } from "../plan/derive";
import { KeyPolicy } from "../policy/key-policy";

/** The key policy a derived key gets, in `region` (a replica's policy names its own region). */
export function policyForKey(key: DerivedKey, region: string = key.region): KeyPolicy {
  const policy = new KeyPolicy({ account: key.keyAccount, region })
    .allowAdministrators(key.administrators, { rotateOnDemand: key.origin === "AWS_KMS" })
    .allowCustodians(key.custodians)
    .allowUsers(key.users, {
      services: key.services,
      callerAccounts: [key.callerAccount],
      usage: key.keyUsage,
      symmetric: KEY_SPEC_INFO[key.keySpec].family === "symmetric",
    })
    .allowServicePrincipals(key.services, key.callerAccount);
  return key.iamDelegation ? policy.delegateToIam() : policy;
}
