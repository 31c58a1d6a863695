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
    for (let i = 0; i < 150; i += 1) expect(quotas.take("Sign", "us-east-1", ecc, 0)).toBe(true);
    for (let i = 0; i < 150; i += 1) expect(quotas.take("Verify", "us-east-1", ecc, 0)).toBe(true);
    expect(quotas.take("Sign", "us-east-1", ecc, 0)).toBe(false);
    expect(quotas.take("Sign", "us-east-1", key("RSA_2048"), 0)).toBe(true);
    expect(quotas.take("Encrypt", "us-east-1", key("SYMMETRIC_DEFAULT"), 0)).toBe(true);
  });

  test("operations without a published quota are never throttled", () => {
    const quotas = new Quotas();
    for (let i = 0; i < 10_000; i += 1)
      expect(quotas.take("NoSuchQuota", "us-east-1", undefined, 0)).toBe(true);
  });
});

describe("--faults", () => {
  test("parses name:probability pairs", () => {
    expect(parseFaults("throttle:0.1,5xx:0.02,reset:0.01")).toEqual({
      throttle: 0.1,
      "5xx": 0.02,
      reset: 0.01,
    });
    expect(parseFaults("")).toEqual({});
  });

  test.each(["boom:0.1", "throttle", "throttle:", "throttle:x", "throttle:-0.1", "throttle:0.7,5xx:0.7"])(
    "refuses %j as a usage error",
    (spec) => {
      expect(() => parseFaults(spec)).toThrow(expect.objectContaining({ code: "USAGE" }));
    },
  );

  test("draws each fault with its probability, at most one per request", () => {
    const rates = parseFaults("throttle:0.1,5xx:0.02,reset:0.01");
    expect(drawFault(rates, () => 0.05)).toBe("throttle");
    expect(drawFault(rates, () => 0.11)).toBe("5xx");
    expect(drawFault(rates, () => 0.125)).toBe("reset");
    expect(drawFault(rates, () => 0.5)).toBeUndefined();
    expect(drawFault({}, () => 0)).toBeUndefined();
  });
});
