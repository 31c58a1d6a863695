import { usageError } from "../errors";

/**
 * The four ways AWS lets a caller name a key: key id (UUID or `mrk-` + 32 hex), key ARN, alias name,
 * alias ARN. DescribeKey accepts all four, so resolution is one call once the form is known to be sane.
 * https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id
 */
const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/i;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/\S+$/;
const ALIAS_NAME = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias\/[A-Za-z0-9/_-]+$/;

export type KeyReferenceKind = "key-id" | "key-arn" | "alias-name" | "alias-arn";

export function keyReferenceKind(reference: string): KeyReferenceKind | undefined {
  if (KEY_ID.test(reference)) return "key-id";
  if (KEY_ARN.test(reference)) return "key-arn";
  if (ALIAS_NAME.test(reference)) return "alias-name";
  if (ALIAS_ARN.test(reference)) return "alias-arn";
  return undefined;
}

/** Checks the form of `reference` (from `field`, e.g. `--key`) without calling AWS. */
export function assertKeyReference(reference: string, field = "--key"): void {
  if (!keyReferenceKind(reference)) {
    throw usageError(
      `${field}: expected a key id, key ARN, alias name (alias/...) or alias ARN, got '${reference}'`,
    );
  }
}
