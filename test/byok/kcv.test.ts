import { randomBytes } from "node:crypto";
import { aesCheckValue, aesCmac, checkValue, hmacCheckValue, publicKeyOf } from "../../byok/kcv";
import { generateMaterial } from "../../byok/material/generate";
import { describeWithTool, OPENSSL } from "../support/tools";
import { openssl } from "./openssl";

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ""), "hex");
const MESSAGE = hex(
  "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710",
);

describe("AES-CMAC known answers", () => {
  // RFC 4493 section 4 (AES-128) and NIST SP 800-38B appendix D.3 (AES-256), message lengths 0, 16, 40, 64.
  const cases: [string, string, number, string][] = [
    ["AES-128", "2b7e151628aed2a6abf7158809cf4f3c", 0, "bb1d6929e95937287fa37d129b756746"],
    ["AES-128", "2b7e151628aed2a6abf7158809cf4f3c", 16, "070a16b46b4d4144f79bdd9dd04a287c"],
    ["AES-128", "2b7e151628aed2a6abf7158809cf4f3c", 40, "dfa66747de9ae63030ca32611497c827"],
    ["AES-128", "2b7e151628aed2a6abf7158809cf4f3c", 64, "51f0bebf7e3b9d92fc49741779363cfe"],
    [
      "AES-256",
      "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
      0,
      "028962f61b7bf89efc6b551f4667d983",
    ],
    [
      "AES-256",
      "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
      16,
      "28a7023f452e8f82bd4bf28d8c37c35c",
    ],
    [
      "AES-256",
      "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
      40,
      "aaf3d8f1de5640c232f5b169b9c911e6",
    ],
    [
      "AES-256",
      "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
      64,
      "e1992190549f6ed5696a2c056c315410",
    ],
  ];
  it.each(cases)("%s key %s, %i-byte message", (_name, key, length, tag) => {
    expect(aesCmac(hex(key), MESSAGE.subarray(0, length)).toString("hex")).toBe(tag);
  });
});

describeWithTool(OPENSSL, "AES-CMAC against the OpenSSL CLI", () => {
  it.each([0, 1, 15, 16, 17, 31, 32, 33, 100])("random AES-256 key, %d-byte message", (length) => {
    const key = randomBytes(32);
    const message = randomBytes(length);
    const expected = openssl(
      ["mac", "-cipher", "AES-256-CBC", "-macopt", `hexkey:${key.toString("hex")}`, "CMAC"],
      message,
    )
      .toString()
      .trim()
      .toLowerCase();
    expect(aesCmac(key, message).toString("hex")).toBe(expected);
  });
});

describe("key check values", () => {
  it("AES-256 all-zero key: CMAC KCV and legacy ECB KCV are the known values", () => {
    // AES-256(0^256, 0^128) = dc95c078a2408989ad48a21492842087 (FIPS-197 style known answer).
    expect(aesCheckValue(Buffer.alloc(32), true)).toBe("DC95C0");
    expect(aesCheckValue(hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"))).toBe(
      aesCmac(hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"), Buffer.alloc(16))
        .subarray(0, 3)
        .toString("hex")
        .toUpperCase(),
    );
  });

  it("SYMMETRIC_DEFAULT uses CMAC by default and ECB with legacy", () => {
    const key = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
    expect(checkValue("SYMMETRIC_DEFAULT", key)).toEqual({ value: aesCheckValue(key), method: "cmac" });
    expect(checkValue("SYMMETRIC_DEFAULT", key, { legacy: true })).toEqual({
      value: aesCheckValue(key, true),
      method: "legacy-ecb",
    });
    expect(aesCheckValue(key)).not.toBe(aesCheckValue(key, true));
  });

  it("HMAC check value is HMAC with the spec hash over a zero block", () => {
    const key = Buffer.alloc(32, 0x0b);
    const value = hmacCheckValue(key, "sha256");
    expect(value).toMatch(/^[0-9A-F]{6}$/);
    expect(checkValue("HMAC_256", key)).toEqual({ value, method: "hmac" });
    expect(hmacCheckValue(key, "sha384")).not.toBe(value);
  });

  it("legacy is refused for anything but SYMMETRIC_DEFAULT", () => {
    expect(() => checkValue("HMAC_256", Buffer.alloc(32), { legacy: true })).toThrow(
      /SYMMETRIC_DEFAULT only/,
    );
  });
});

describeWithTool(OPENSSL, "key check values against the OpenSSL CLI", () => {
  it("legacy AES-ECB KCV equals openssl enc -aes-256-ecb of a zero block", () => {
    const key = randomBytes(32);
    const expected = openssl(["enc", "-aes-256-ecb", "-nopad", "-K", key.toString("hex")], Buffer.alloc(16));
    expect(aesCheckValue(key, true)).toBe(expected.subarray(0, 3).toString("hex").toUpperCase());
  });

  it("HMAC KCV equals openssl dgst -mac HMAC over a zero block", () => {
    const key = randomBytes(48);
    const out = openssl(
      ["dgst", "-sha384", "-mac", "HMAC", "-macopt", `hexkey:${key.toString("hex")}`, "-binary"],
      Buffer.alloc(16),
    );
    expect(hmacCheckValue(key, "sha384")).toBe(out.subarray(0, 3).toString("hex").toUpperCase());
  });

  it.each(["RSA_2048", "ECC_NIST_P256", "ECC_SECG_P256K1"] as const)(
    "%s fingerprint equals SHA-256 of the SPKI DER openssl derives",
    (keySpec) => {
      const material = generateMaterial(keySpec);
      try {
        const pkcs8 = material.withBytes((bytes) => Buffer.from(bytes));
        const spki = openssl(["pkey", "-inform", "DER", "-pubout", "-outform", "DER"], pkcs8);
        const digest = openssl(["dgst", "-sha256", "-binary"], spki).toString("hex");
        expect(material.checkValue).toBe(digest);
        expect(publicKeyOf(pkcs8).equals(spki)).toBe(true);
        pkcs8.fill(0);
      } finally {
        material.dispose();
      }
    },
  );
});
