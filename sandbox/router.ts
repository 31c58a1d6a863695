import type { OperationTable } from "./operation";
import { aliasOperations } from "./operations/aliases";
import { cryptoOperations } from "./operations/crypto";
import { dataKeyPairOperations } from "./operations/data-key-pairs";
import { grantOperations } from "./operations/grants";
import { importOperations } from "./operations/import";
import { keyAgreementOperations } from "./operations/key-agreement";
import { keyOperations } from "./operations/keys";
import { policyTagOperations } from "./operations/policy-tags";
import { rotationOperations } from "./operations/rotation";
import { usageOperations } from "./operations/usage";

/** Every KMS operation the sandbox answers, by the name after `TrentService.` in X-Amz-Target. */
export const OPERATIONS: OperationTable = {
  ...keyOperations,
  ...aliasOperations,
  ...policyTagOperations,
  ...grantOperations,
  ...rotationOperations,
  ...importOperations,
  ...cryptoOperations,
  ...dataKeyPairOperations,
  ...keyAgreementOperations,
  ...usageOperations,
};
