import { assessExpiry, type ExpiryKeyFacts } from "../../byok/expiry/model";

const NOW = new Date("2026-06-01T00:00:00Z");
const day = (days: number) => new Date(NOW.getTime() + days * 86_400_000);

const key = (materials: ExpiryKeyFacts["materials"]): ExpiryKeyFacts => ({
  keyArn: "arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555",
  aliases: [],
  keySpec: "SYMMETRIC_DEFAULT",
  keyState: "Enabled",
  materials,
});
const material = (id: string, materialState: string, days: number) => ({
  keyMaterialId: id,
  materialState,
  importState: "IMPORTED",
  expirationModel: "KEY_MATERIAL_EXPIRES",
  validTo: day(days),
});

describe("expiry follows AWS's every-material rule", () => {
  test("an old NON_CURRENT material expiring first is the key's deadline, reported on every row", () => {
    const rows = assessExpiry(
      [key([material("old", "NON_CURRENT", 5), material("current", "CURRENT", 200)])],
      NOW,
    );
    expect(rows.map((row) => [row.keyMaterialId, row.status, row.keyValidTo])).toEqual([
      ["old", "critical", day(5)],
      ["current", "ok", day(5)],
    ]);
    expect(rows[0]?.action).toContain("the whole key goes to PendingImport");
  });

  test("material pending rotation is reported but is not the key's deadline", () => {
    const rows = assessExpiry(
      [key([material("current", "CURRENT", 100), material("next", "PENDING_ROTATION", 3)])],
      NOW,
    );
    expect(rows.map((row) => [row.keyMaterialId, row.status, row.keyValidTo])).toEqual([
      ["next", "critical", day(100)],
      ["current", "ok", day(100)],
    ]);
    expect(rows[0]?.action).toContain("RotateKeyOnDemand");
  });

  test("no expiring material that counts: no key deadline", () => {
    const rows = assessExpiry(
      [
        key([
          { keyMaterialId: "current", materialState: "CURRENT", importState: "IMPORTED" },
          material("next", "PENDING_MULTI_REGION_IMPORT_AND_ROTATION", 30),
        ]),
      ],
      NOW,
    );
    expect(rows.every((row) => row.keyValidTo === null)).toBe(true);
  });
});
