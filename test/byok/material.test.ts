import { execFileSync } from "node:child_process";
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import {
  combineComponents,
  componentCheckValue,
  matchRecordedCheckValue,
  parseComponent,
  recordableCheckValues,
} from "../../byok/components";
import { aesCheckValue } from "../../byok/kcv";
import { generateMaterial } from "../../byok/material/generate";
import { KeyMaterial } from "../../byok/material/key-material";
import { loadMaterial } from "../../byok/material/load";
import { KEY_SPEC_INFO, KEY_SPECS } from "../../byok/vocabulary/key-specs";
import { describeWithTool, OPENSSL } from "../support/tools";
import { openssl } from "./openssl";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "keyplane-material-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

describe("KeyMaterial", () => {
  it("never prints its bytes: toString, JSON, util.inspect, template strings", () => {
    const bytes = Buffer.alloc(32, 0xab);
    const material = new KeyMaterial("SYMMETRIC_DEFAULT", Buffer.from(bytes));
    const kcv = aesCheckValue(bytes);
    const shown = [
      String(material),
      `${material}`,
      JSON.stringify({ material }),
      inspect(material),
      inspect({ deep: [material] }),
    ];
    for (const text of shown) {
      expect(text).toContain(`[KeyMaterial SYMMETRIC_DEFAULT kcv=${kcv}]`);
      expect(text).not.toMatch(/abab|q6ur/i);
    }
  });

  it("dispose zeroes the buffer it owns and every later use throws", () => {
    const bytes = Buffer.alloc(32, 0x5a);
    const material = new KeyMaterial("HMAC_256", bytes);
    material.dispose();
    expect(bytes.equals(Buffer.alloc(32))).toBe(true);
    expect(material.disposed).toBe(true);
    expect(() => material.withBytes((b) => b.length)).toThrow(/already disposed/);
    expect(String(material)).toMatch(/disposed\]$/);
    material.dispose();
  });
});

describe("generate", () => {
  it.each(KEY_SPECS)("%s: the length or key type KMS requires", (keySpec) => {
    const material = generateMaterial(keySpec);
    try {
      const path = file(
        `gen-${keySpec}`,
        material.withBytes((b) => Buffer.from(b)),
      );
      const info = KEY_SPEC_INFO[keySpec];
      if (info.rawLength !== undefined) expect(material.length).toBe(info.rawLength);
      const reloaded = loadMaterial(path, keySpec);
      expect(reloaded.checkValue).toBe(material.checkValue);
      reloaded.dispose();
    } finally {
      material.dispose();
    }
  });

  it("two generations differ", () => {
    const [a, b] = [generateMaterial("SYMMETRIC_DEFAULT"), generateMaterial("SYMMETRIC_DEFAULT")];
    expect(a.checkValue).not.toBe(b.checkValue);
    a.dispose();
    b.dispose();
  });
});

describe("load: symmetric and HMAC", () => {
  const key = Buffer.from("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "hex");
  it.each([
    ["raw", key],
    ["hex", `${key.toString("hex")}\n`],
    ["upper hex", key.toString("hex").toUpperCase()],
    ["base64", `${key.toString("base64")}\n`],
  ])("%s", (name, content) => {
    const material = loadMaterial(file(`sym-${name}`, content), "SYMMETRIC_DEFAULT");
    expect(material.checkValue).toBe(aesCheckValue(key));
    material.dispose();
  });

  it("refuses wrong lengths, naming the file and what was expected", () => {
    const path = file("short.bin", Buffer.alloc(16));
    expect(() => loadMaterial(path, "SYMMETRIC_DEFAULT")).toThrow(
      `${path}: SYMMETRIC_DEFAULT material must be 32 bytes (raw, 64 hex digits, or base64); got a 16-byte file`,
    );
    expect(() => loadMaterial(file("hmac.hex", "ab".repeat(32)), "HMAC_384")).toThrow(
      /HMAC_384 material must be 48 to 128 bytes \(raw, hex, or base64\); got 64 hex digits/,
    );
    // 32 hex digits are 16 bytes, never 32 bytes of ASCII (reliability D4).
    expect(() => loadMaterial(file("half.hex", "ab".repeat(16)), "SYMMETRIC_DEFAULT")).toThrow(
      /SYMMETRIC_DEFAULT material must be 32 bytes .*; got 32 hex digits/,
    );
  });

  it.each([
    ["HMAC_224", 64],
    ["HMAC_256", 64],
    ["HMAC_384", 128],
    ["HMAC_512", 128],
  ] as const)("takes %s material of any length AWS imports, up to %i bytes", (keySpec, max) => {
    const long = randomBytes(max);
    const material = loadMaterial(file(`${keySpec}-long.bin`, long), keySpec);
    expect(material.length).toBe(max);
    material.dispose();
    expect(() => loadMaterial(file(`${keySpec}-over.bin`, randomBytes(max + 1)), keySpec)).toThrow(
      new RegExp(`${keySpec} material must be \\d+ to ${max} bytes`),
    );
  });

  it("a missing file is a FILE error naming it", () => {
    expect(() => loadMaterial(join(dir, "nope.bin"), "HMAC_256")).toThrow(
      /nope.bin: cannot read the material file \(ENOENT\)/,
    );
  });
});

describe("load: RSA and ECC", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const p256 = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const rsaFingerprint = new KeyMaterial("RSA_2048", rsa.privateKey.export({ type: "pkcs8", format: "der" }))
    .checkValue;

  it.each([
    ["PKCS#8 PEM", () => rsa.privateKey.export({ type: "pkcs8", format: "pem" })],
    ["PKCS#8 DER", () => rsa.privateKey.export({ type: "pkcs8", format: "der" })],
    ["PKCS#1 PEM", () => rsa.privateKey.export({ type: "pkcs1", format: "pem" })],
    ["PKCS#1 DER", () => rsa.privateKey.export({ type: "pkcs1", format: "der" })],
  ])("RSA from %s becomes PKCS#8 DER", (name, content) => {
    const material = loadMaterial(file(`rsa-${name.replace(/\W/g, "")}`, content()), "RSA_2048");
    expect(material.checkValue).toBe(rsaFingerprint);
    expect(material.withBytes((b) => b.equals(rsa.privateKey.export({ type: "pkcs8", format: "der" })))).toBe(
      true,
    );
    material.dispose();
  });

  it.each([
    ["SEC1 PEM", () => p256.privateKey.export({ type: "sec1", format: "pem" })],
    ["SEC1 DER", () => p256.privateKey.export({ type: "sec1", format: "der" })],
  ])("EC from %s", (name, content) => {
    const material = loadMaterial(file(`ec-${name.replace(/\W/g, "")}`, content()), "ECC_NIST_P256");
    expect(
      material.withBytes((b) => b.equals(p256.privateKey.export({ type: "pkcs8", format: "der" }))),
    ).toBe(true);
    material.dispose();
  });

  it("encrypted PKCS#8 PEM needs its password", () => {
    const path = file(
      "enc.pem",
      rsa.privateKey.export({
        type: "pkcs8",
        format: "pem",
        cipher: "aes-256-cbc",
        passphrase: "custodian-pass",
      }),
    );
    expect(() => loadMaterial(path, "RSA_2048")).toThrow(/encrypted; give its password/);
    expect(loadMaterial(path, "RSA_2048", { password: "custodian-pass" }).checkValue).toBe(rsaFingerprint);
  });

  it("refuses a key that does not fit the spec: P-256 for P-384, 2048 bits for RSA_3072, RSA for ECC, EC for RSA", () => {
    const ec = file("p256.pem", p256.privateKey.export({ type: "pkcs8", format: "pem" }));
    const rsaPath = file("rsa.pem", rsa.privateKey.export({ type: "pkcs8", format: "pem" }));
    expect(() => loadMaterial(ec, "ECC_NIST_P384")).toThrow(
      `${ec}: ECC_NIST_P384 needs a key on curve secp384r1, got prime256v1`,
    );
    expect(() => loadMaterial(rsaPath, "RSA_3072")).toThrow(
      `${rsaPath}: RSA_3072 needs a 3072-bit RSA key, got 2048 bits`,
    );
    expect(() => loadMaterial(rsaPath, "ECC_NIST_P256")).toThrow(/needs an EC private key, got rsa/);
    expect(() => loadMaterial(ec, "RSA_2048")).toThrow(/needs an RSA private key, got ec/);
  });

  it("refuses public keys, certificates and garbage", () => {
    const pub = file("pub.pem", rsa.publicKey.export({ type: "spki", format: "pem" }));
    expect(() => loadMaterial(pub, "RSA_2048")).toThrow(
      /holds a public key or certificate, expected a private key/,
    );
    expect(() => loadMaterial(file("junk.bin", Buffer.from("junk junk junk")), "RSA_2048")).toThrow(
      /not a private key/,
    );
  });
});

describeWithTool(OPENSSL, "load: PKCS#12 made by the OpenSSL CLI", () => {
  it.each([
    ["RSA_2048", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]],
    ["ECC_NIST_P384", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]],
  ] as const)("%s with the right password; the wrong one refused", (keySpec, genArgs) => {
    const keyPath = file(`${keySpec}.key.pem`, openssl(genArgs));
    const p12Path = join(dir, `${keySpec}.p12`);
    openssl([
      "pkcs12",
      "-export",
      "-nocerts",
      "-inkey",
      keyPath,
      "-passout",
      "pass:p12-secret",
      "-out",
      p12Path,
    ]);
    const fromPem = loadMaterial(keyPath, keySpec);
    const material = loadMaterial(p12Path, keySpec, { password: "p12-secret" });
    expect(material.checkValue).toBe(fromPem.checkValue);
    material.dispose();
    fromPem.dispose();
    expect(() => loadMaterial(p12Path, keySpec, { password: "wrong" })).toThrow(
      `${p12Path}: the PKCS#12 password is wrong or missing`,
    );
  });
});

describe("load: key pairs that do not hold together", () => {
  it("refuses an RSA private key with one byte of its modulus flipped (reliability D3)", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const der = privateKey.export({ type: "pkcs8", format: "der" });
    der[40] = (der[40] ?? 0) ^ 0x01;
    expect(() => loadMaterial(file("flipped.der", der), "RSA_2048")).toThrow(
      /flipped.der: the private key is damaged \(its parts do not form a key pair/,
    );
  });

  it("turns an EC key with explicit curve parameters into named-curve PKCS#8 (crypto-interop D4)", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const named = privateKey.export({ type: "pkcs8", format: "der" });
    const explicit = file("explicit.pem", "");
    try {
      execFileSync("openssl", ["ec", "-param_enc", "explicit", "-out", explicit], {
        input: privateKey.export({ type: "sec1", format: "pem" }),
        stdio: ["pipe", "ignore", "ignore"],
      });
    } catch {
      throw new Error("openssl is needed to write an explicit-parameter EC key");
    }
    const material = loadMaterial(explicit, "ECC_NIST_P256");
    expect(material.withBytes((bytes) => bytes.equals(named))).toBe(true);
    const spki = createPublicKey(createPrivateKey({ key: named, format: "der", type: "pkcs8" })).export({
      type: "spki",
      format: "der",
    });
    expect(material.checkValue).toBe(createHash("sha256").update(spki).digest("hex"));
    material.dispose();
  });
});

describe("custodian components", () => {
  const c1 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  const c2 = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
  const c3 = "00112233 44556677 8899aabb ccddeeff 00112233 44556677 8899aabb ccddeeff";
  const bytes = (hex: string) => Buffer.from(hex.replace(/\s/g, ""), "hex");

  it("XOR-combines, with each component's KCV and the result's", () => {
    const { material, components } = combineComponents("SYMMETRIC_DEFAULT", [c1, c2, c3].map(bytes));
    const expected = Buffer.alloc(32);
    for (const hex of [c1, c2, c3]) {
      const part = bytes(hex);
      for (let i = 0; i < 32; i += 1) expected[i] = (expected[i] ?? 0) ^ (part[i] ?? 0);
    }
    expect(material.checkValue).toBe(aesCheckValue(expected));
    expect(components).toEqual([
      { index: 1, checkValue: aesCheckValue(bytes(c1)) },
      { index: 2, checkValue: aesCheckValue(bytes(c2)) },
      { index: 3, checkValue: componentCheckValue("SYMMETRIC_DEFAULT", bytes(c3)) },
    ]);
    expect(material.withBytes((b) => b.equals(expected))).toBe(true);
    material.dispose();
  });

  it("parses hex components of exactly the spec's length, naming the source", () => {
    expect(parseComponent("SYMMETRIC_DEFAULT", c3, "c3.hex").equals(bytes(c3))).toBe(true);
    expect(() => parseComponent("SYMMETRIC_DEFAULT", c1.slice(32), "short.hex")).toThrow(
      "short.hex: a SYMMETRIC_DEFAULT component must be 64 hex digits; got 32",
    );
    expect(() => parseComponent("HMAC_256", `${c1.slice(1)}g`, "typo.hex")).toThrow(
      "typo.hex: a HMAC_256 component must be 64 to 128 hex digits (even); it holds characters that are not hex digits",
    );
    expect(parseComponent("HMAC_256", c1 + c2, "long.hex")).toHaveLength(64);
    // Components after the first must be exactly as long as it: the error says the exact length.
    expect(() => parseComponent("HMAC_256", c1 + c2, "component 2", 32)).toThrow(
      "component 2: a HMAC_256 component must be 64 hex digits, as long as component 1; got 128",
    );
    expect(parseComponent("HMAC_256", c1, "component 2", 32)).toHaveLength(32);
  });

  it("a component form may carry the CMAC or the legacy AES-ECB check value: either is recognised, case-insensitively", () => {
    const key = bytes(c1);
    // Computed apart from keyplane: OpenSSL's CMAC and its AES-256-ECB of one zero block.
    const cmac = openssl(
      ["mac", "-cipher", "AES-256-CBC", "-macopt", `hexkey:${c1}`, "CMAC"],
      Buffer.alloc(16),
    )
      .toString("utf8")
      .trim()
      .slice(0, 6)
      .toUpperCase();
    const legacy = openssl(["enc", "-aes-256-ecb", "-nopad", "-K", c1], Buffer.alloc(16))
      .subarray(0, 3)
      .toString("hex")
      .toUpperCase();
    const candidates = recordableCheckValues("SYMMETRIC_DEFAULT", key);
    expect(candidates).toEqual([
      { value: cmac, method: "cmac" },
      { value: legacy, method: "legacy-ecb" },
    ]);
    expect(matchRecordedCheckValue(candidates, cmac.toLowerCase())?.method).toBe("cmac");
    expect(matchRecordedCheckValue(candidates, ` ${legacy.slice(0, 3)} ${legacy.slice(3)} `)?.method).toBe(
      "legacy-ecb",
    );
    expect(matchRecordedCheckValue(candidates, "000000")).toBeUndefined();
    // HMAC keys have one check value: HMAC of a zero block.
    expect(recordableCheckValues("HMAC_256", key).map((candidate) => candidate.method)).toEqual(["hmac"]);
  });

  it("refuses one component, different lengths, equal components, cancelling components and asymmetric specs", () => {
    expect(() => combineComponents("SYMMETRIC_DEFAULT", [bytes(c1)])).toThrow(
      "components: expected at least 2, got 1",
    );
    expect(() => combineComponents("HMAC_256", [bytes(c1), bytes(c1 + c2)])).toThrow(
      "component 2: 64 bytes, expected 32 like component 1 (HMAC_256: 32–64)",
    );
    // The same component twice cancels out under XOR: an all-zero key (crypto-interop D1).
    expect(() => combineComponents("SYMMETRIC_DEFAULT", [bytes(c1), bytes(c1)])).toThrow(
      "components 1 and 2 are the same; equal components cancel out under XOR",
    );
    // A, B, A xor B: the result is all zeros although no two components are equal.
    const xor = Buffer.alloc(32);
    for (let i = 0; i < 32; i += 1) xor[i] = (bytes(c1)[i] ?? 0) ^ (bytes(c2)[i] ?? 0);
    expect(() => combineComponents("SYMMETRIC_DEFAULT", [bytes(c1), bytes(c2), xor])).toThrow(
      "components: the combined key is all zeros; split knowledge would be lost",
    );
    // A, B, C, B xor C: B, C and B xor C cancel, so the key is A, known to custodian 1 alone.
    const bc = Buffer.alloc(32);
    for (let i = 0; i < 32; i += 1) bc[i] = (bytes(c2)[i] ?? 0) ^ (bytes(c3)[i] ?? 0);
    expect(() => combineComponents("SYMMETRIC_DEFAULT", [bytes(c1), bytes(c2), bytes(c3), bc])).toThrow(
      "components: the combined key equals one component (the others cancel out); split knowledge would be lost",
    );
    expect(() => combineComponents("RSA_2048", [bytes(c1), bytes(c2)])).toThrow(
      /components apply to SYMMETRIC_DEFAULT and HMAC specs only/,
    );
  });
});
