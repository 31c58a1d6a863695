import { expiryFacts } from "../../byok/expiry/facts";
import { assessExpiry, type ExpiryKeyFacts, expiryNeedsAttention } from "../../byok/expiry/model";
import { rotationFacts } from "../../byok/rotation/facts";
import {
  assessRotation,
  assessRotations,
  type RotationKeyFacts,
  rotationMode,
  rotationNeedsAttention,
} from "../../byok/rotation/model";

const NOW = new Date("2026-06-01T00:00:00Z");
const day = (offset: number) => new Date(NOW.getTime() + offset * 86_400_000);
const ARN = "arn:aws:kms:us-east-1:111111111111:key/";

function key(overrides: Partial<RotationKeyFacts>): RotationKeyFacts {
  return {
    keyArn: `${ARN}k`,
    aliases: ["alias/acme/payments/s3"],
    keySpec: "SYMMETRIC_DEFAULT",
    keyUsage: "ENCRYPT_DECRYPT",
    origin: "AWS_KMS",
    keyState: "Enabled",
    creationDate: day(-400),
    automaticRotationEnabled: true,
    rotationPeriodDays: 365,
    nextRotationDate: day(100),
    rotationDays: 365,
    ...overrides,
  };
}

describe("rotation model", () => {
  it.each([
    [{}, "automatic"],
    [{ origin: "EXTERNAL" }, "on-demand"],
    [{ keySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" }, "manual"],
    [{ keySpec: "RSA_4096", keyUsage: "SIGN_VERIFY", origin: "EXTERNAL" }, "manual"],
    [{ origin: "AWS_CLOUDHSM" }, "manual"],
    [{ multiRegionRole: "REPLICA" as const }, "not-rotatable"],
    [{ origin: "EXTERNAL_KEY_STORE" }, "not-rotatable"],
    [{ keyState: "PendingImport", origin: "EXTERNAL" }, "not-rotatable"],
    [{ keyState: "PendingDeletion" }, "not-rotatable"],
  ])("%j is %s", (overrides, mode) => {
    expect(rotationMode(key(overrides)).mode).toBe(mode);
  });

  it("automatic, enabled with the tag's period: ok, next due from KMS, no action", () => {
    expect(assessRotation(key({}), { now: NOW })).toMatchObject({
      mode: "automatic",
      status: "ok",
      nextDue: day(100),
      daysUntilDue: 100,
      action: { kind: "none" },
    });
  });

  it("automatic but disabled, or with another period, or a tag KMS cannot honour: misconfigured", () => {
    expect(assessRotation(key({ automaticRotationEnabled: false }), { now: NOW })).toMatchObject({
      status: "misconfigured",
      action: {
        kind: "enable-automatic-rotation",
        description: "EnableKeyRotation with RotationPeriodInDays 365",
      },
    });
    expect(assessRotation(key({ rotationDays: 180 }), { now: NOW })).toMatchObject({
      status: "misconfigured",
      reason: expect.stringContaining("KMS rotates every 365 days, the tag asks for 180"),
    });
    expect(assessRotation(key({ rotationDays: 30 }), { now: NOW })).toMatchObject({
      status: "misconfigured",
      action: { kind: "fix-tags" },
    });
  });

  it("automatic that KMS did not perform on schedule: overdue", () => {
    expect(assessRotation(key({ nextRotationDate: day(-3) }), { now: NOW }).status).toBe("overdue");
  });

  it("on-demand (imported symmetric): ok, due within the lead time, overdue; pending material rotates directly", () => {
    const imported = (last: number, extra: Partial<RotationKeyFacts> = {}) =>
      key({
        origin: "EXTERNAL",
        automaticRotationEnabled: false,
        rotationDays: 90,
        lastRotationDate: day(last),
        ...extra,
      });
    expect(assessRotation(imported(-10), { now: NOW })).toMatchObject({
      status: "ok",
      nextDue: day(80),
      daysUntilDue: 80,
    });
    expect(assessRotation(imported(-80), { now: NOW })).toMatchObject({
      status: "due",
      daysUntilDue: 10,
      action: { kind: "import-and-rotate-on-demand" },
    });
    expect(assessRotation(imported(-80), { now: NOW, dueWithinDays: 5 }).status).toBe("ok");
    expect(assessRotation(imported(-95), { now: NOW })).toMatchObject({
      status: "overdue",
      daysUntilDue: -5,
    });
    expect(assessRotation(imported(-95, { pendingMaterialId: "m-2" }), { now: NOW }).action).toEqual({
      kind: "rotate-on-demand",
      description: "RotateKeyOnDemand: material m-2 is already imported",
    });
  });

  it("manual: the clock starts at creation; overdue means a new key and an alias swap; no alias is misconfigured", () => {
    const hmac = {
      keySpec: "HMAC_256",
      keyUsage: "GENERATE_VERIFY_MAC",
      automaticRotationEnabled: false,
      rotationDays: 365,
    };
    expect(assessRotation(key(hmac), { now: NOW })).toMatchObject({
      status: "overdue",
      nextDue: day(-35),
      action: {
        kind: "create-key-and-swap-alias",
        description: expect.stringContaining("alias/acme/payments/s3"),
      },
    });
    expect(assessRotation(key({ ...hmac, aliases: [] }), { now: NOW }).status).toBe("misconfigured");
  });

  it("a missing tag: KMS's own schedule is fine, anything else is misconfigured", () => {
    expect(assessRotation(key({ rotationDays: undefined }), { now: NOW }).status).toBe("ok");
    expect(assessRotation(key({ rotationDays: undefined, origin: "EXTERNAL" }), { now: NOW })).toMatchObject({
      status: "misconfigured",
      action: { kind: "fix-tags" },
    });
  });

  it("sorts the most urgent first and says whether anyone is needed", () => {
    const rows = assessRotations(
      [
        key({ keyArn: `${ARN}a` }),
        key({ keyArn: `${ARN}b`, automaticRotationEnabled: false }),
        key({ keyArn: `${ARN}c`, nextRotationDate: day(-5) }),
      ],
      { now: NOW },
    );
    expect(rows.map((row) => [row.keyArn.slice(-1), row.status])).toEqual([
      ["c", "overdue"],
      ["b", "misconfigured"],
      ["a", "ok"],
    ]);
    expect(rotationNeedsAttention(rows)).toBe(true);
    expect(rotationNeedsAttention(rows.slice(2))).toBe(false);
  });
});

describe("expiry model", () => {
  const external = (
    materials: ExpiryKeyFacts["materials"],
    extra: Partial<ExpiryKeyFacts> = {},
  ): ExpiryKeyFacts => ({
    keyArn: `${ARN}x`,
    aliases: ["alias/acme/restricted"],
    keySpec: "SYMMETRIC_DEFAULT",
    keyState: "Enabled",
    materials,
    ...extra,
  });
  const expiring = (days: number, id = "m1") => ({
    keyMaterialId: id,
    importState: "IMPORTED",
    materialState: "CURRENT",
    expirationModel: "KEY_MATERIAL_EXPIRES",
    validTo: day(days),
  });

  it.each([
    [45, "ok", 45],
    [30, "warning", 30],
    [8, "warning", 8],
    [7, "critical", 7],
    [0.5, "critical", 0],
  ] as const)("material valid for %s more days is %s", (days, status, left) => {
    const [row] = assessExpiry([external([expiring(days)])], NOW);
    expect(row).toMatchObject({
      status,
      daysLeft: left,
      validTo: day(days),
      keyMaterialId: "m1",
      materialState: "CURRENT",
    });
  });

  it("expired (still listed, or deleted back to PENDING_IMPORT) and never-imported materials", () => {
    expect(assessExpiry([external([expiring(-2)])], NOW)[0]).toMatchObject({
      status: "expired",
      daysLeft: -2,
    });
    expect(
      assessExpiry(
        [
          external([
            {
              importState: "PENDING_IMPORT",
              materialState: "CURRENT",
              expirationModel: "KEY_MATERIAL_EXPIRES",
              validTo: day(-1),
            },
          ]),
        ],
        NOW,
      )[0],
    ).toMatchObject({ status: "expired", materialState: null, action: expect.stringContaining("escrow") });
    expect(assessExpiry([external([], { keyState: "PendingImport" })], NOW)[0]).toMatchObject({
      status: "pending-import",
      daysLeft: null,
      validTo: null,
    });
  });

  it("material that never expires is ok, unless the tag asks for a validity", () => {
    const forever = { importState: "IMPORTED", expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" };
    expect(assessExpiry([external([forever])], NOW)[0]).toMatchObject({ status: "ok", daysLeft: null });
    expect(assessExpiry([external([forever], { materialValidityDays: 180 })], NOW)[0]).toMatchObject({
      status: "warning",
      action: expect.stringContaining("180 days"),
    });
  });

  it("one row per material, most urgent first; thresholds are configurable; attention when any is not ok", () => {
    const rows = assessExpiry([external([expiring(100, "old"), expiring(20, "new")])], NOW, {
      warningDays: 10,
      criticalDays: 3,
    });
    expect(rows.map((row) => [row.keyMaterialId, row.status])).toEqual([
      ["new", "ok"],
      ["old", "ok"],
    ]);
    expect(expiryNeedsAttention(rows)).toBe(false);
    expect(expiryNeedsAttention(assessExpiry([external([expiring(2)])], NOW))).toBe(true);
  });
});

describe("facts from what the KMS readers observed", () => {
  const listed = (metadata: Record<string, unknown>, tags: Record<string, number>) => ({
    region: "eu-west-1",
    metadata: { Arn: `${ARN}obs`, KeyId: "obs", ...metadata },
    aliases: ["alias/acme/obs"],
    tags,
    rawTags: [],
  });

  it("rotationFacts maps DescribeKey, rotation status, history and tags", () => {
    const facts = rotationFacts({
      key: listed(
        {
          KeySpec: "SYMMETRIC_DEFAULT",
          KeyUsage: "ENCRYPT_DECRYPT",
          Origin: "EXTERNAL",
          KeyState: "Enabled",
          CreationDate: day(-200),
          MultiRegionConfiguration: { MultiRegionKeyType: "PRIMARY" },
        },
        { rotationDays: 90 },
      ),
      automaticEnabled: false,
      lastRotationDate: day(-95),
      pendingMaterialId: "m-next",
      observedAt: NOW,
    });
    expect(facts).toEqual({
      keyArn: `${ARN}obs`,
      region: "eu-west-1",
      aliases: ["alias/acme/obs"],
      keySpec: "SYMMETRIC_DEFAULT",
      keyUsage: "ENCRYPT_DECRYPT",
      origin: "EXTERNAL",
      keyState: "Enabled",
      creationDate: day(-200),
      multiRegionRole: "PRIMARY",
      automaticRotationEnabled: false,
      lastRotationDate: day(-95),
      pendingMaterialId: "m-next",
      rotationDays: 90,
    });
    expect(assessRotation(facts, { now: NOW })).toMatchObject({
      mode: "on-demand",
      status: "overdue",
      action: { kind: "rotate-on-demand" },
    });
  });

  it("expiryFacts maps each material and the validity tag", () => {
    const facts = expiryFacts({
      key: listed({ KeySpec: "SYMMETRIC_DEFAULT", KeyState: "Enabled" }, { materialValidityDays: 180 }),
      materials: [
        {
          keyMaterialId: "m1",
          materialState: "CURRENT",
          importState: "IMPORTED",
          expirationModel: "KEY_MATERIAL_EXPIRES",
          validTo: day(5),
        },
      ],
      observedAt: NOW,
    });
    expect(facts).toMatchObject({ keyArn: `${ARN}obs`, region: "eu-west-1", materialValidityDays: 180 });
    expect(assessExpiry([facts], NOW)[0]).toMatchObject({
      keyMaterialId: "m1",
      status: "critical",
      daysLeft: 5,
    });
  });
});
