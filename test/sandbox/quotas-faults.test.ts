import { QuotaPacer } from "../../byok/kms/pacer";
import { OPERATION_RATES, quotaOf } from "../../byok/vocabulary/kms-quotas";
import { Clock, parseClockOffset } from "../../sandbox/clock";
import { drawFault, parseFaults } from "../../sandbox/faults";
import type { KeyRecord } from "../../sandbox/model";
import { Quotas } from "../../sandbox/quotas";

const key = (keySpec: KeyRecord["keySpec"]) => ({ keySpec }) as KeyRecord;

describe("request quotas (token buckets, time passed in explicitly)", () => {
  test("an operation gets its per-second rate, with one second of burst, and refills", () => {
    const quotas = new Quotas();
    const t = 1_000_000;
    const taken = Array.from({ length: 6 }, () => quotas.take("CreateAlias", "us-east-1", undefined, t));
    expect(taken).toEqual([true, true, true, true, true, false]);
    expect(quotas.take("CreateAlias", "us-east-1", undefined, t + 199)).toBe(false);
    expect(quotas.take("CreateAlias", "us-east-1", undefined, t + 200)).toBe(true);
  });

  test("buckets are per region and per operation", () => {
    const quotas = new Quotas();
    for (let i = 0; i < 5; i += 1) quotas.take("CreateAlias", "us-east-1", undefined, 0);
    expect(quotas.take("CreateAlias", "us-east-1", undefined, 0)).toBe(false);
    expect(quotas.take("CreateAlias", "eu-west-1", undefined, 0)).toBe(true);
    expect(quotas.take("DeleteAlias", "us-east-1", undefined, 0)).toBe(true);
  });

  test("cryptographic operations share one bucket per key type", () => {
    const quotas = new Quotas();
    const ecc = key("ECC_NIST_P256");
    for (let i = 0; i < 500; i += 1) expect(quotas.take("Sign", "us-east-1", ecc, 0)).toBe(true);
    for (let i = 0; i < 500; i += 1) expect(quotas.take("Verify", "us-east-1", ecc, 0)).toBe(true);
    expect(quotas.take("Sign", "us-east-1", ecc, 0)).toBe(false);
    expect(quotas.take("Sign", "us-east-1", key("RSA_2048"), 0)).toBe(true);
    expect(quotas.take("Encrypt", "us-east-1", key("SYMMETRIC_DEFAULT"), 0)).toBe(true);
  });

  test("the table holds AWS's published defaults (developer guide, Request quotas)", () => {
    expect(OPERATION_RATES).toMatchObject({
      CreateKey: 5,
      DescribeKey: 2000,
      ListKeys: 500,
      ListAliases: 500,
      ListResourceTags: 2000,
      TagResource: 10,
      UntagResource: 5,
      GetParametersForImport: 1,
      ImportKeyMaterial: 15,
      DeleteImportedKeyMaterial: 15,
      ListKeyRotations: 100,
      RotateKeyOnDemand: 5,
      EnableKeyRotation: 15,
      DisableKeyRotation: 5,
      GetKeyRotationStatus: 1000,
      GetPublicKey: 2000,
      PutKeyPolicy: 15,
      GetKeyPolicy: 1000,
      CreateAlias: 5,
      UpdateAlias: 5,
      DeleteAlias: 15,
      ScheduleKeyDeletion: 15,
      CancelKeyDeletion: 5,
      CreateGrant: 50,
    });
    const rate = (operation: string, region: string, spec?: KeyRecord["keySpec"]) =>
      quotaOf(operation, region, spec).rate;
    expect(rate("Encrypt", "ca-central-1")).toBe(10_000);
    for (const region of [
      "us-east-2",
      "ap-southeast-1",
      "ap-southeast-2",
      "ap-northeast-1",
      "eu-central-1",
    ]) {
      expect(rate("Decrypt", region)).toBe(20_000);
    }
    expect(rate("GenerateDataKey", "eu-west-2")).toBe(20_000);
    for (const region of ["us-east-1", "us-west-2", "eu-west-1"])
      expect(rate("GenerateMac", region)).toBe(100_000);
    expect(rate("Sign", "ca-central-1", "RSA_2048")).toBe(1000);
    expect(rate("Verify", "ca-central-1", "ECC_NIST_P256")).toBe(1000);
    expect(quotaOf("GenerateDataKeyPair", "us-east-1", undefined, "RSA_4096").rate).toBe(1);
  });

  test("GetParametersForImport: one a second; keyplane's pacer never trips the sandbox's bucket", () => {
    const quotas = new Quotas();
    expect(quotas.take("GetParametersForImport", "us-east-1", undefined, 0)).toBe(true);
    expect(quotas.take("GetParametersForImport", "us-east-1", undefined, 999)).toBe(false);
    const pacer = new QuotaPacer();
    const bucket = new Quotas();
    let now = 5_000_000;
    for (let call = 0; call < 30; call += 1) {
      now += pacer.book("us-east-1/GetParametersForImport", 1);
      // Every third request reaches KMS 90 ms late, the next one on time: still within the quota.
      const late = call % 3 === 0 ? 90 : 0;
      expect(bucket.take("GetParametersForImport", "us-east-1", undefined, now + late)).toBe(true);
      now += 7; // the request itself
    }
  });

  test("GenerateDataKeyPair counts against its pair spec's own quota", () => {
    const quotas = new Quotas();
    expect(quotas.take("GenerateDataKeyPair", "us-east-1", undefined, 0, "RSA_4096")).toBe(true);
    expect(quotas.take("GenerateDataKeyPairWithoutPlaintext", "us-east-1", undefined, 0, "RSA_4096")).toBe(
      false,
    );
    expect(quotas.take("GenerateDataKeyPair", "us-east-1", undefined, 0, "ECC_NIST_P256")).toBe(true);
  });

  test("operations without a published quota are never throttled", () => {
    const quotas = new Quotas();
    for (let i = 0; i < 10_000; i += 1)
      expect(quotas.take("NoSuchQuota", "us-east-1", undefined, 0)).toBe(true);
  });
});

describe("--faults", () => {
  test("parses name:probability pairs", () => {
    expect(parseFaults("throttle:0.1,5xx:0.02,reset:0.01,lost:0.03")).toEqual({
      throttle: 0.1,
      "5xx": 0.02,
      reset: 0.01,
      lost: 0.03,
    });
  });

  test.each([
    "boom:0.1",
    "throttle",
    "throttle:",
    "throttle:x",
    "throttle:-0.1",
    "throttle:0.7,5xx:0.7",
    "",
    " ",
    "throttle:0.5,throttle:0.6",
  ])("refuses %j as a usage error", (spec) => {
    expect(() => parseFaults(spec)).toThrow(expect.objectContaining({ code: "USAGE" }));
  });

  test("draws each fault with its probability, at most one per request", () => {
    const rates = parseFaults("throttle:0.1,5xx:0.02,reset:0.01");
    expect(drawFault(rates, () => 0.05)).toBe("throttle");
    expect(drawFault(rates, () => 0.11)).toBe("5xx");
    expect(drawFault(rates, () => 0.125)).toBe("reset");
    expect(drawFault(rates, () => 0.5)).toBeUndefined();
    expect(drawFault(parseFaults("lost:0.2"), () => 0.1)).toBe("lost");
    expect(drawFault({}, () => 0)).toBeUndefined();
  });
});

describe("the sandbox clock stays within 100 years of real time", () => {
  test("--clock-offset and advance refuse what no date can hold", () => {
    expect(() => parseClockOffset("99999999d")).toThrow(expect.objectContaining({ code: "USAGE" }));
    expect(parseClockOffset("-36500d")).toBe(-36_500 * 86_400_000);
    const clock = new Clock();
    expect(() => clock.advance("99999999d")).toThrow(/at most 100 years/);
    expect(clock.offset).toBe(0);
    expect(() => clock.set("9999-01-01T00:00:00Z")).toThrow(/at most 36500 days/);
  });
});
