import { type Input, KmsError } from "./protocol";
import { optionalBoolean } from "./validate";

/**
 * `DryRun: true` asks KMS to check a request without doing it: a request that would succeed is answered with
 * DryRunOperationException instead. Callers check it after validation and before any change.
 * https://docs.aws.amazon.com/kms/latest/developerguide/programming-dryrun.html
 */
export function assertNotDryRun(input: Input): void {
  if (optionalBoolean(input, "DryRun") === true) {
    throw new KmsError(
      "DryRunOperationException",
      "The request would have succeeded, but the DryRun option is set.",
    );
  }
}
