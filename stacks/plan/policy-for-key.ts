import { KEY_SPEC_INFO } from "../../byok/vocabulary/key-specs";
import type { DerivedKey } from "../plan/derive";
import { KeyPolicy } from "../policy/key-policy";

/** The key policy a derived key gets, in `region` (a replica's policy names its own region). */
export function policyForKey(key: DerivedKey, region: string = key.region): KeyPolicy {
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
