import { execFileSync, spawnSync } from "node:child_process";
import { constants, generateKeyPairSync, type KeyObject, privateDecrypt } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import forge from "node-forge";
import { generateMaterial } from "../../byok/material/generate";
import type { KeyMaterial } from "../../byok/material/key-material";
import { KEY_SPECS, type KeySpec } from "../../byok/vocabulary/key-specs";
import {
  canWrap,
  WRAPPING_ALGORITHM_INFO,
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_BITS,
  WRAPPING_KEY_SPECS,
  type WrappingKeySpec,
} from "../../byok/vocabulary/wrapping";
import { aesKeyUnwrapPad, aesKeyWrapPad } from "../../byok/wrap/aes-key-wrap";
import { parseWrappingPublicKey } from "../../byok/wrap/public-key";
import { wrapForImport } from "../../byok/wrap/wrap-for-import";
import { describeWithTool, OPENSSL, PYTHON_CRYPTOGRAPHY } from "../support/tools";
import { kwpUnwrapArgs, oaepDecryptArgs } from "./openssl";

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ""), "hex");

describe("AES key wrap with padding: RFC 5649 section 6 vectors", () => {
  const kek = hex("5840df6e29b02af1 ab493b705bf16ea1 ae8338f4dcc176a8");
  it.each([
    [
      "20 octets",
      "c37b7e6492584340 bed1220780894115 5068f738",
      "138bdeaa9b8fa7fc 61f97742e72248ee 5ae6ae5360d1ae6a 5f54f373fa543b6a",
    ],
    ["7 octets", "466f7250617369", "afbeb0f07dfbf541 9200f2ccb50bb24f"],
  ])("wraps %s and unwraps back", (_name, key, wrapped) => {
    expect(aesKeyWrapPad(kek, hex(key)).toString("hex")).toBe(wrapped.replace(/\s+/g, ""));
    expect(aesKeyUnwrapPad(kek, hex(wrapped)).toString("hex")).toBe(key.replace(/\s+/g, ""));
  });

  it("AES-256 (the key size KMS uses): NIST SP 800-38F KWP-AE vector, wrapped and unwrapped", () => {
    const kek256 = hex("068b05d005902438 bb7a837c18ca4d7a bab63c7de558993d f68492b3cf3c1c3c");
    expect(aesKeyWrapPad(kek256, hex("24")).toString("hex")).toBe("d54525e33b8d29aa1497ffeb13acd10a");
    expect(aesKeyUnwrapPad(kek256, hex("d54525e33b8d29aa1497ffeb13acd10a")).toString("hex")).toBe("24");
  });

  it("refuses a flipped bit and a wrong key-encryption key", () => {
    const wrapped = hex("afbeb0f07dfbf541 9200f2ccb50bb24f");
    wrapped[3] = (wrapped[3] ?? 0) ^ 1;
    expect(() => aesKeyUnwrapPad(kek, wrapped)).toThrow(/integrity check failed/);
    expect(() => aesKeyWrapPad(Buffer.alloc(20), Buffer.alloc(8))).toThrow(/16, 24 or 32 bytes/);
  });
});

const pairs = new Map<WrappingKeySpec, { privateKey: KeyObject; publicDer: Buffer; pemPath: string }>();
const materials = new Map<KeySpec, KeyMaterial>();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "keyplane-wrap-"));
  for (const spec of WRAPPING_KEY_SPECS) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: WRAPPING_KEY_BITS[spec] });
    const pemPath = join(dir, `${spec}.pem`);
    writeFileSync(pemPath, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    pairs.set(spec, { privateKey, publicDer: publicKey.export({ type: "spki", format: "der" }), pemPath });
  }
  for (const keySpec of KEY_SPECS) materials.set(keySpec, generateMaterial(keySpec));
});

afterAll(() => {
  for (const material of materials.values()) material.dispose();
  for (const { expected } of wrapped.values()) expected.fill(0);
  rmSync(dir, { recursive: true, force: true });
});

const combos = WRAPPING_KEY_SPECS.flatMap((wrappingKeySpec) =>
  WRAPPING_ALGORITHMS.flatMap((algorithm) =>
    KEY_SPECS.filter((keySpec) => canWrap(keySpec, algorithm, wrappingKeySpec)).map(
      (keySpec) => [algorithm, wrappingKeySpec, keySpec] as const,
    ),
  ),
);

interface Wrapped {
  result: ReturnType<typeof wrapForImport>;
  expected: Buffer;
}

/** Every allowed combination wrapped once by keyplane, keyed by "algorithm / wrapping key spec / key spec". */
const wrapped = new Map<string, Wrapped>();
const comboName = (combo: readonly string[]) => combo.join(" / ");

function wrapEveryCombination(): void {
  for (const combo of combos) {
    const [algorithm, wrappingKeySpec, keySpec] = combo;
    const material = materials.get(keySpec)!;
    const result = wrapForImport({
      material,
      publicKey: pairs.get(wrappingKeySpec)!.publicDer,
      algorithm,
      wrappingKeySpec,
    });
    wrapped.set(comboName(combo), { result, expected: material.withBytes((bytes) => Buffer.from(bytes)) });
  }
}

const quote = (path: string) => `'${path.replace(/'/g, "'\\''")}'`;

/**
 * Runs many openssl commands in one shell (one child process for the whole matrix instead of ~250): each
 * command's stdout goes to its own file, so a failing command fails only its own combination's test.
 */
function opensslBatch(commands: { args: string[]; out: string }[]): void {
  const script = commands
    .map(({ args, out }) => `openssl ${args.map(quote).join(" ")} > ${quote(out)} 2> ${quote(`${out}.err`)}`)
    .join("\n");
  execFileSync("sh", ["-c", script], {
    env: { ...process.env, PATH: `${dirname(OPENSSL.find())}:${process.env.PATH}` },
  });
}

const readOutput = (path: string): Buffer =>
  existsSync(path) && statSync(path).size > 0
    ? readFileSync(path)
    : Buffer.from(
        `<openssl failed: ${existsSync(`${path}.err`) ? readFileSync(`${path}.err`, "utf8").trim() : "no output"}>`,
      );

describeWithTool(
  OPENSSL,
  "every algorithm x wrapping key spec x key spec, unwrapped by the OpenSSL CLI",
  () => {
    /** What the OpenSSL CLI unwrapped per combination, and each wrapping key's SPKI digest. */
    const unwrappedByOpenssl = new Map<string, Buffer>();
    const fingerprints = new Map<WrappingKeySpec, string>();

    beforeAll(() => {
      if (wrapped.size === 0) wrapEveryCombination();
      const rsaStep = [...WRAPPING_KEY_SPECS].map((spec) => {
        writeFileSync(join(dir, `${spec}.spki`), pairs.get(spec)!.publicDer);
        return {
          args: ["dgst", "-sha256", "-binary", join(dir, `${spec}.spki`)],
          out: join(dir, `${spec}.sha256`),
        };
      });
      combos.forEach((combo, index) => {
        const [algorithm, wrappingKeySpec] = combo;
        const { result } = wrapped.get(comboName(combo))!;
        const modulusBytes = WRAPPING_KEY_BITS[wrappingKeySpec] / 8;
        const rsaPart = WRAPPING_ALGORITHM_INFO[algorithm].aesKeyWrap
          ? result.wrapped.subarray(0, modulusBytes)
          : result.wrapped;
        writeFileSync(join(dir, `rsa-${index}.bin`), rsaPart);
        writeFileSync(join(dir, `kwp-${index}.bin`), result.wrapped.subarray(modulusBytes));
        rsaStep.push({
          args: oaepDecryptArgs(
            pairs.get(wrappingKeySpec)!.pemPath,
            join(dir, `rsa-${index}.bin`),
            WRAPPING_ALGORITHM_INFO[algorithm].oaepHash,
          ),
          out: join(dir, `rsa-${index}.out`),
        });
      });
      opensslBatch(rsaStep);
      for (const spec of WRAPPING_KEY_SPECS)
        fingerprints.set(spec, readOutput(join(dir, `${spec}.sha256`)).toString("hex"));
      // Second pass: the RFC 5649 part under the AES key OpenSSL recovered from the RSA part.
      const kwpStep: { args: string[]; out: string }[] = [];
      combos.forEach((combo, index) => {
        const plain = readOutput(join(dir, `rsa-${index}.out`));
        if (!WRAPPING_ALGORITHM_INFO[combo[0]].aesKeyWrap) {
          unwrappedByOpenssl.set(comboName(combo), plain);
        } else if (plain.length === 32) {
          kwpStep.push({
            args: kwpUnwrapArgs(plain, join(dir, `kwp-${index}.bin`)),
            out: join(dir, `kwp-${index}.out`),
          });
        } else {
          unwrappedByOpenssl.set(comboName(combo), Buffer.from(`<a ${plain.length}-byte AES key>`));
        }
      });
      opensslBatch(kwpStep);
      combos.forEach((combo, index) => {
        if (!unwrappedByOpenssl.has(comboName(combo)))
          unwrappedByOpenssl.set(comboName(combo), readOutput(join(dir, `kwp-${index}.out`)));
      });
    });

    it("covers every combination AWS allows (124 of 144)", () => {
      expect(combos).toHaveLength(124);
    });

    it.each(combos)("%s / %s / %s", (algorithm, wrappingKeySpec, keySpec) => {
      const { result, expected } = wrapped.get(comboName([algorithm, wrappingKeySpec, keySpec]))!;
      const material = materials.get(keySpec)!;
      const modulusBytes = WRAPPING_KEY_BITS[wrappingKeySpec] / 8;
      expect(result.publicKeyFingerprint).toBe(fingerprints.get(wrappingKeySpec));
      expect(result).toMatchObject({ algorithm, wrappingKeySpec, keySpec, checkValue: material.checkValue });
      expect(result.wrapped).toHaveLength(
        WRAPPING_ALGORITHM_INFO[algorithm].aesKeyWrap
          ? modulusBytes + 8 * Math.ceil(expected.length / 8) + 8
          : modulusBytes,
      );
      const unwrapped = unwrappedByOpenssl.get(comboName([algorithm, wrappingKeySpec, keySpec]))!;
      expect(unwrapped.equals(expected) ? "the material" : unwrapped.toString("latin1")).toBe("the material");
    });
  },
);

describeWithTool(
  PYTHON_CRYPTOGRAPHY,
  "every combination unwrapped by Python's cryptography (KWP in Python)",
  () => {
    let unwrappedByPython: (string | { error: string })[] = [];

    beforeAll(() => {
      if (wrapped.size === 0) wrapEveryCombination();
      const cases = combos.map((combo) => ({
        key: pairs.get(combo[1])!.pemPath,
        hash: WRAPPING_ALGORITHM_INFO[combo[0]].oaepHash,
        aesKeyWrap: WRAPPING_ALGORITHM_INFO[combo[0]].aesKeyWrap,
        wrapped: wrapped.get(comboName(combo))!.result.wrapped.toString("hex"),
      }));
      const run = spawnSync(PYTHON_CRYPTOGRAPHY.find(), [join(__dirname, "fixtures", "unwrap_kms.py")], {
        input: JSON.stringify(cases),
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
      });
      if (run.status !== 0) throw new Error(`unwrap_kms.py exited ${run.status}: ${run.stderr}`);
      unwrappedByPython = JSON.parse(run.stdout);
    });

    it.each(combos.map((combo, index) => [...combo, index] as const))(
      "%s / %s / %s",
      (algorithm, wrappingKeySpec, keySpec, index) => {
        const { expected } = wrapped.get(comboName([algorithm, wrappingKeySpec, keySpec]))!;
        expect(unwrappedByPython[index]).toBe(expected.toString("hex"));
      },
    );
  },
);

describe("OAEP unwrapped by node-forge (a second independent implementation)", () => {
  it.each(
    WRAPPING_KEY_SPECS.flatMap((spec) =>
      WRAPPING_ALGORITHMS.map(
        (algorithm) => [algorithm, spec, algorithm.includes("AES") ? "ECC_NIST_P256" : "HMAC_512"] as const,
      ),
    ),
  )("%s / %s / %s", (algorithm, wrappingKeySpec, keySpec) => {
    const pair = pairs.get(wrappingKeySpec)!;
    const material = materials.get(keySpec)!;
    const { wrapped } = wrapForImport({ material, publicKey: pair.publicDer, algorithm });
    const forgeKey = forge.pki.privateKeyFromPem(
      pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    );
    const hash = WRAPPING_ALGORITHM_INFO[algorithm].oaepHash;
    const md = () => (hash === "sha1" ? forge.md.sha1.create() : forge.md.sha256.create());
    const modulusBytes = WRAPPING_KEY_BITS[wrappingKeySpec] / 8;
    const rsaPart = WRAPPING_ALGORITHM_INFO[algorithm].aesKeyWrap
      ? wrapped.subarray(0, modulusBytes)
      : wrapped;
    const plain = Buffer.from(
      forgeKey.decrypt(rsaPart.toString("binary"), "RSA-OAEP", { md: md(), mgf1: { md: md() } }),
      "binary",
    );
    const expected = material.withBytes((bytes) => Buffer.from(bytes));
    if (WRAPPING_ALGORITHM_INFO[algorithm].aesKeyWrap) {
      expect(aesKeyUnwrapPad(plain, wrapped.subarray(modulusBytes)).equals(expected)).toBe(true);
    } else {
      expect(plain.equals(expected)).toBe(true);
    }
  });
});

describe("bulk wrapping with a pre-parsed key", () => {
  it.each(WRAPPING_ALGORITHMS)(
    "%s: OAEP and MGF1 both use the algorithm's hash, and only it",
    (algorithm) => {
      const pair = pairs.get("RSA_2048")!;
      const material = materials.get("HMAC_256")!;
      const parsed = parseWrappingPublicKey(pair.publicDer);
      const info = WRAPPING_ALGORITHM_INFO[algorithm];
      const other = info.oaepHash === "sha1" ? "sha256" : "sha1";
      const expected = material.withBytes((bytes) => Buffer.from(bytes));
      const results = [0, 1].map(() => wrapForImport({ material, publicKey: parsed, algorithm }));
      // OAEP is randomized: two wraps differ, and both open.
      expect(results[0]!.wrapped.equals(results[1]!.wrapped)).toBe(false);
      for (const { wrapped, publicKeyFingerprint } of results) {
        expect(publicKeyFingerprint).toBe(parsed.fingerprint);
        const rsaPart = info.aesKeyWrap ? wrapped.subarray(0, 256) : wrapped;
        const decrypt = (oaepHash: string) =>
          privateDecrypt(
            { key: pair.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
            rsaPart,
          );
        const plain = decrypt(info.oaepHash);
        expect(() => decrypt(other)).toThrow();
        const unwrapped = info.aesKeyWrap ? aesKeyUnwrapPad(plain, wrapped.subarray(256)) : plain;
        expect(unwrapped.equals(expected)).toBe(true);
        plain.fill(0);
        unwrapped.fill(0);
      }
      expected.fill(0);
    },
  );
});

describe("refusals", () => {
  const material = () => materials.get("SYMMETRIC_DEFAULT")!;

  it("RSA material with a direct OAEP algorithm, naming the allowed choices", () => {
    expect(() =>
      wrapForImport({
        material: materials.get("RSA_2048")!,
        publicKey: pairs.get("RSA_4096")!.publicDer,
        algorithm: "RSAES_OAEP_SHA_256",
      }),
    ).toThrow(
      /RSAES_OAEP_SHA_256 with an RSA_4096 wrapping key cannot carry RSA_2048 material \(allowed: RSA_AES_KEY_WRAP_SHA_256\/RSA_4096/,
    );
  });

  it("ECC_NIST_P521 with OAEP under RSA_2048 (AWS documents this limit), before the key is parsed", () => {
    expect(() =>
      wrapForImport({
        material: materials.get("ECC_NIST_P521")!,
        publicKey: "not even a key",
        algorithm: "RSAES_OAEP_SHA_1",
        wrappingKeySpec: "RSA_2048",
      }),
    ).toThrow(/cannot carry ECC_NIST_P521/);
  });

  it("the deprecated RSAES_PKCS1_V1_5 and unknown algorithms", () => {
    const request = { material: material(), publicKey: pairs.get("RSA_2048")!.publicDer };
    expect(() => wrapForImport({ ...request, algorithm: "RSAES_PKCS1_V1_5" as never })).toThrow(
      /no longer accepts it/,
    );
    expect(() => wrapForImport({ ...request, algorithm: "ROT13" as never })).toThrow(
      /expected one of RSAES_OAEP_SHA_1/,
    );
  });

  it("malformed public keys: garbage, truncated DER, a private key, an EC key", () => {
    const der = pairs.get("RSA_2048")!.publicDer;
    const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({
      type: "spki",
      format: "der",
    });
    for (const [publicKey, pattern] of [
      ["%%% not base64 %%%", /not an RSA public key/],
      [der.subarray(0, 100), /not an RSA public key/],
      [Buffer.from("garbage"), /not an RSA public key/],
      [ec, /KMS wrapping keys are RSA, got ec/],
    ] as const) {
      expect(() =>
        wrapForImport({
          material: material(),
          publicKey,
          algorithm: "RSAES_OAEP_SHA_256",
          publicKeySource: "pub.der",
        }),
      ).toThrow(pattern);
    }
  });

  it("short keys and sizes that do not match the wrapping key spec", () => {
    const short = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({
      type: "spki",
      format: "der",
    });
    expect(() => parseWrappingPublicKey(short, { source: "short.der" })).toThrow(
      "short.der: a 1024-bit RSA key is not a KMS wrapping key (expected RSA_2048, RSA_3072, RSA_4096)",
    );
    expect(() =>
      wrapForImport({
        material: material(),
        publicKey: pairs.get("RSA_2048")!.publicDer,
        algorithm: "RSAES_OAEP_SHA_256",
        wrappingKeySpec: "RSA_4096",
      }),
    ).toThrow(/the key is RSA_2048, but wrapping key spec RSA_4096 was asked for/);
  });

  it("accepts the same key as DER, PEM and base64 with one fingerprint", () => {
    const der = pairs.get("RSA_3072")!.publicDer;
    const pem = `-----BEGIN PUBLIC KEY-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END PUBLIC KEY-----\n`;
    const fingerprints = [
      der,
      pem,
      Buffer.from(pem),
      der.toString("base64"),
      Buffer.from(`${der.toString("base64")}\n`),
    ].map((input) => parseWrappingPublicKey(input).fingerprint);
    expect(new Set(fingerprints).size).toBe(1);
  });

  it("disposed material cannot be wrapped", () => {
    const disposable = generateMaterial("HMAC_256");
    disposable.dispose();
    expect(() =>
      wrapForImport({
        material: disposable,
        publicKey: pairs.get("RSA_2048")!.publicDer,
        algorithm: "RSAES_OAEP_SHA_256",
      }),
    ).toThrow(/already disposed/);
  });
});
