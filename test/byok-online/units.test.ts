import { KeyplaneError } from "../../byok/errors";
import { expiryFields, MAX_VALIDITY_MS, materialExpiryFromFlags } from "../../byok/import/expiry-option";
import { createLimiter, mapLimited } from "../../byok/kms/limiter";
import { assertKeyReference, keyReferenceKind } from "../../byok/kms/resolve-key";

describe("key references", () => {
  test.each([
    ["1234abcd-12ab-34cd-56ef-1234567890ab", "key-id"],
    ["mrk-1234abcd12ab34cd56ef1234567890ab", "key-id"],
    ["arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", "key-arn"],
    ["alias/acme/restricted/payments", "alias-name"],
    ["arn:aws:kms:eu-west-1:111111111111:alias/acme/x", "alias-arn"],
  ])("%s is a %s", (reference, kind) => {
    expect(keyReferenceKind(reference)).toBe(kind);
  });

  test.each(["", "my-key", "alias/", "arn:aws:s3:::bucket", "alias/has space"])(
    "'%s' is refused as a usage error naming the flag",
    (reference) => {
      expect(() => assertKeyReference(reference, "--key")).toThrow(KeyplaneError);
      try {
        assertKeyReference(reference, "--key");
      } catch (error) {
        expect((error as KeyplaneError).code).toBe("USAGE");
        expect((error as KeyplaneError).message).toMatch(/^--key: expected a key id/);
      }
    },
  );
});

describe("concurrency limiter", () => {
  test("never runs more than its limit at once, and keeps order of results", async () => {
    const limiter = createLimiter(3);
    let running = 0;
    let peak = 0;
    const results = await mapLimited(limiter, [...Array(40).keys()], async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      return n * 2;
    });
    expect(peak).toBe(3);
    expect(results).toEqual([...Array(40).keys()].map((n) => n * 2));
    expect(limiter.active).toBe(0);
  });

  test("a failing task frees its slot", async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(limiter.run(async () => "next")).resolves.toBe("next");
  });

  test("a limit below 1 is refused", () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
  });
});

describe("material expiry flags", () => {
  const now = new Date("2026-01-01T00:00:00Z");

  test("--expires-in sets ValidTo that far from KMS's now", () => {
    const expiry = materialExpiryFromFlags({ expiresIn: "30d" });
    expect(expiryFields(expiry!, now)).toEqual({
      ExpirationModel: "KEY_MATERIAL_EXPIRES",
      ValidTo: new Date("2026-01-31T00:00:00Z"),
    });
  });

  test("--no-expiry sends KEY_MATERIAL_DOES_NOT_EXPIRE and no ValidTo", () => {
    expect(expiryFields(materialExpiryFromFlags({ noExpiry: true })!, now)).toEqual({
      ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
    });
  });

  test("no flag at all is undefined (the caller asks or fails naming the flags)", () => {
    expect(materialExpiryFromFlags({})).toBeUndefined();
  });

  test("two choices at once are a usage error", () => {
    expect(() => materialExpiryFromFlags({ expiresIn: "30d", noExpiry: true })).toThrow(
      expect.objectContaining({ code: "USAGE" }),
    );
  });

  test("more than 365 days is refused before any call", () => {
    const expiry = materialExpiryFromFlags({ expiresIn: "366d" })!;
    expect(() => expiryFields(expiry, now)).toThrow(/--expires-in: KMS allows at most 365 days/);
    const limit = new Date(now.getTime() + MAX_VALIDITY_MS).toISOString();
    expect(expiryFields(materialExpiryFromFlags({ validTo: limit })!, now).ValidTo?.toISOString()).toBe(
      limit,
    );
  });

  test("a ValidTo in the past, or not a time, is refused naming --valid-to", () => {
    expect(() => expiryFields(materialExpiryFromFlags({ validTo: "2025-06-01T00:00:00Z" })!, now)).toThrow(
      /--valid-to: the expiry must be in the future/,
    );
    expect(() => materialExpiryFromFlags({ validTo: "next tuesday" })).toThrow(/--valid-to: expected an ISO/);
    expect(() => materialExpiryFromFlags({ expiresIn: "soon" })).toThrow(/--expires-in: expected a duration/);
  });
});
