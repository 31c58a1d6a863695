/**
 * The wrapping combinations AWS KMS refuses in GetParametersForImport, written out from AWS's documentation
 * rather than computed, so the sandbox is an oracle independent of keyplane's own `canWrap`
 * (test/sandbox/wrapping-table.test.ts compares the two over every cell).
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html#KMS-GetParametersForImport-request-WrappingAlgorithm
 * - RSAES_OAEP_SHA_1 / RSAES_OAEP_SHA_256: "Supported for all types of key material, except RSA key material
 *   (private key)", and "You cannot use the RSAES_OAEP_SHA_* wrapping algorithm with the RSA_2048 wrapping key
 *   spec to wrap ECC_NIST_P521 key material."
 * - RSA_AES_KEY_WRAP_SHA_1 / RSA_AES_KEY_WRAP_SHA_256: every key spec, every wrapping key spec.
 */
interface Refusal {
  keySpecs: readonly string[];
  algorithms: readonly string[];
  wrappingKeySpecs: readonly string[];
}

const REFUSED: readonly Refusal[] = [
  {
    keySpecs: ["RSA_2048", "RSA_3072", "RSA_4096"],
    algorithms: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"],
    wrappingKeySpecs: ["RSA_2048", "RSA_3072", "RSA_4096"],
  },
  {
    keySpecs: ["ECC_NIST_P521"],
    algorithms: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"],
    wrappingKeySpecs: ["RSA_2048"],
  },
];

/** Whether AWS lets `algorithm` with a `wrappingKeySpec` wrapping key carry material of `keySpec`. */
export function awsAllowsWrapping(keySpec: string, algorithm: string, wrappingKeySpec: string): boolean {
  return !REFUSED.some(
    (refusal) =>
      refusal.keySpecs.includes(keySpec) &&
      refusal.algorithms.includes(algorithm) &&
      refusal.wrappingKeySpecs.includes(wrappingKeySpec),
  );
}
