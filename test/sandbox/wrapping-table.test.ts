import { KEY_SPECS } from "../../byok/vocabulary/key-specs";
import { canWrap, WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from "../../byok/vocabulary/wrapping";
import { awsAllowsWrapping } from "../../sandbox/wrapping-table";

describe("two oracles for wrapping combinations", () => {
  const cells = KEY_SPECS.flatMap((keySpec) =>
    WRAPPING_ALGORITHMS.flatMap((algorithm) =>
      WRAPPING_KEY_SPECS.map((wrappingKeySpec) => [keySpec, algorithm, wrappingKeySpec] as const),
    ),
  );

  test("the grid is every key spec x algorithm x wrapping key spec (144 cells)", () => {
    expect(cells).toHaveLength(144);
  });

  test.each(cells)(
    "%s under %s with %s: keyplane's canWrap agrees with the sandbox's AWS table",
    (spec, alg, wks) => {
      expect(canWrap(spec, alg, wks)).toBe(awsAllowsWrapping(spec, alg, wks));
    },
  );

  test("the refusals AWS documents, cell by cell", () => {
    const refused = cells
      .filter(([spec, alg, wks]) => !awsAllowsWrapping(spec, alg, wks))
      .map((cell) => cell.join(" "));
    expect(refused).toEqual([
      "RSA_2048 RSAES_OAEP_SHA_1 RSA_2048",
      "RSA_2048 RSAES_OAEP_SHA_1 RSA_3072",
      "RSA_2048 RSAES_OAEP_SHA_1 RSA_4096",
      "RSA_2048 RSAES_OAEP_SHA_256 RSA_2048",
      "RSA_2048 RSAES_OAEP_SHA_256 RSA_3072",
      "RSA_2048 RSAES_OAEP_SHA_256 RSA_4096",
      "RSA_3072 RSAES_OAEP_SHA_1 RSA_2048",
      "RSA_3072 RSAES_OAEP_SHA_1 RSA_3072",
      "RSA_3072 RSAES_OAEP_SHA_1 RSA_4096",
      "RSA_3072 RSAES_OAEP_SHA_256 RSA_2048",
      "RSA_3072 RSAES_OAEP_SHA_256 RSA_3072",
      "RSA_3072 RSAES_OAEP_SHA_256 RSA_4096",
      "RSA_4096 RSAES_OAEP_SHA_1 RSA_2048",
      "RSA_4096 RSAES_OAEP_SHA_1 RSA_3072",
      "RSA_4096 RSAES_OAEP_SHA_1 RSA_4096",
      "RSA_4096 RSAES_OAEP_SHA_256 RSA_2048",
      "RSA_4096 RSAES_OAEP_SHA_256 RSA_3072",
      "RSA_4096 RSAES_OAEP_SHA_256 RSA_4096",
      "ECC_NIST_P521 RSAES_OAEP_SHA_1 RSA_2048",
      "ECC_NIST_P521 RSAES_OAEP_SHA_256 RSA_2048",
    ]);
  });
});
