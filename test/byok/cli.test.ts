import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendJournal, readJournal } from "../../byok/journal/journal";
import { loadMaterial } from "../../byok/material/load";
import { type CliResult, runCli } from "../support/cli";
import { describeWithTool, OPENSSL } from "../support/tools";
import { kwpUnwrapArgs, oaepDecryptArgs, openssl } from "./openssl";

let dir: string;
/** Every CLI result of this file, scanned for material at the end. */
const results: CliResult[] = [];
/** Files that hold material or shares on purpose (the user asked for them). */
const secretFiles = new Set<string>();

const at = (name: string) => join(dir, name);
/** Every offline step of this file is journaled here (global --journal); the journal is scanned too. */
const journal = () => at("offline-steps.jsonl");
async function cli(args: string[]): Promise<CliResult> {
  const result = await runCli(["--journal", journal(), ...args], { cwd: dir });
  results.push(result);
  return result;
}

const SPECS = ["SYMMETRIC_DEFAULT", "HMAC_384", "ECC_NIST_P256", "RSA_2048"] as const;
type Spec = (typeof SPECS)[number];
/** Material made once by `byok generate` for the whole file, so every test can run alone (`-t`). */
const material = (keySpec: Spec) => at(`material-${keySpec}.bin`);
const generated = new Map<Spec, CliResult>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keyplane-byok-cli-"));
  // One after the other: every run appends to the one journal.
  for (const keySpec of SPECS) {
    secretFiles.add(material(keySpec));
    generated.set(
      keySpec,
      await cli(["byok", "generate", "--key-spec", keySpec, "--out", material(keySpec), "--output", "json"]),
    );
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("byok generate and kcv", () => {
  it.each(SPECS)("%s: a new 0600 file, the check value printed, and kcv agrees", async (keySpec) => {
    const out = material(keySpec);
    const result = generated.get(keySpec)!;
    expect(result).toMatchObject({ code: 0 });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const summary = JSON.parse(result.stdout);
    const loaded = loadMaterial(out, keySpec);
    expect(summary).toEqual({
      keySpec,
      checkValue: loaded.checkValue,
      method:
        keySpec === "SYMMETRIC_DEFAULT" ? "cmac" : keySpec === "HMAC_384" ? "hmac" : "public-key-sha256",
      file: out,
    });
    loaded.dispose();
    const kcv = await cli(["byok", "kcv", "--material", out, "--key-spec", keySpec]);
    expect(kcv.code).toBe(0);
    expect(kcv.stdout).toContain(`checkValue  ${summary.checkValue}`);
  });

  it("kcv guesses the spec and says so when 32 bytes are ambiguous", async () => {
    const guessed = await cli(["byok", "kcv", "--material", material("SYMMETRIC_DEFAULT")]);
    expect(guessed.stderr).toMatch(/taken as SYMMETRIC_DEFAULT/);
    const p256 = await cli(["byok", "kcv", "--material", material("ECC_NIST_P256"), "--output", "json"]);
    expect(JSON.parse(p256.stdout).keySpec).toBe("ECC_NIST_P256");
  });

  it("refuses to overwrite, with one line and exit 1", async () => {
    const result = await cli(["byok", "generate", "--key-spec", "HMAC_256", "--out", material("HMAC_384")]);
    expect(result).toMatchObject({
      code: 1,
      stdout: "",
      stderr: `keyplane: ${material("HMAC_384")}: already exists; refusing to overwrite it\n`,
    });
  });

  it.each([
    [["byok", "generate", "--out", "x.bin"], "missing --key-spec"],
    [
      ["byok", "generate", "--key-spec", "AES_128", "--out", "x.bin"],
      "--key-spec: expected one of SYMMETRIC_DEFAULT",
    ],
    [["byok", "kcv"], "missing --material"],
    [
      [
        "byok",
        "wrap",
        "--public-key",
        "offline-steps.jsonl",
        "--material",
        "offline-steps.jsonl",
        "--out",
        "w.bin",
      ],
      "missing --wrapping-algorithm (or --params)",
    ],
    [
      [
        "byok",
        "escrow",
        "split",
        "--material",
        "offline-steps.jsonl",
        "--shares",
        "three",
        "--threshold",
        "2",
        "--out-dir",
        "d",
      ],
      "--shares: expected a whole number",
    ],
    [["byok", "escrow", "combine", "--out", "x"], "missing --share"],
    [["byok", "generate", "--key-spec", "HMAC_256", "--out", "x.bin", "--bogus"], "unknown option '--bogus'"],
  ])("usage error %j exits 2", async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("bad input exits 1 with one line naming the file", async () => {
    writeFileSync(at("short.bin"), Buffer.alloc(20));
    const result = await cli([
      "byok",
      "kcv",
      "--material",
      at("short.bin"),
      "--key-spec",
      "SYMMETRIC_DEFAULT",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `keyplane: ${at("short.bin")}: SYMMETRIC_DEFAULT material must be 32 bytes (raw, 64 hex digits, or base64); got a 20-byte file\n`,
    );
    const legacyHmac = await cli([
      "byok",
      "kcv",
      "--material",
      material("HMAC_384"),
      "--key-spec",
      "HMAC_384",
      "--legacy",
    ]);
    expect(legacyHmac.code).toBe(1);
  });
});

describeWithTool(OPENSSL, "byok kcv and byok wrap (offline) checked by OpenSSL", () => {
  it("kcv --legacy is the first 3 bytes of AES-256-ECB over a zero block", async () => {
    const legacy = await cli([
      "byok",
      "kcv",
      "--material",
      material("SYMMETRIC_DEFAULT"),
      "--legacy",
      "--output",
      "json",
    ]);
    const expected = openssl(
      ["enc", "-aes-256-ecb", "-nopad", "-K", readFileSync(material("SYMMETRIC_DEFAULT")).toString("hex")],
      Buffer.alloc(16),
    );
    expect(JSON.parse(legacy.stdout)).toMatchObject({
      checkValue: expected.subarray(0, 3).toString("hex").toUpperCase(),
      method: "legacy-ecb",
    });
  });

  beforeAll(() => {
    openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072", "-out", at("wrapping.pem")]);
    openssl([
      "pkey",
      "-in",
      at("wrapping.pem"),
      "-pubout",
      "-outform",
      "DER",
      "-out",
      at("WrappingPublicKey.der"),
    ]);
    openssl(["pkey", "-in", at("wrapping.pem"), "-pubout", "-out", at("WrappingPublicKey.pem")]);
  });

  it("RSAES_OAEP_SHA_256, public key as DER: the output is exactly the OAEP ciphertext of the material", async () => {
    const out = at("EncryptedKeyMaterial.bin");
    const result = await cli([
      "byok",
      "wrap",
      "--public-key",
      at("WrappingPublicKey.der"),
      "--wrapping-algorithm",
      "RSAES_OAEP_SHA_256",
      "--wrapping-key-spec",
      "RSA_3072",
      "--key-spec",
      "SYMMETRIC_DEFAULT",
      "--material",
      material("SYMMETRIC_DEFAULT"),
      "--out",
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/publicKeySha256 +[0-9a-f]{64}/);
    const plain = openssl(oaepDecryptArgs(at("wrapping.pem"), out, "sha256"));
    expect(plain.equals(readFileSync(material("SYMMETRIC_DEFAULT")))).toBe(true);
  });

  it("RSA_AES_KEY_WRAP_SHA_1, public key as PEM, RSA material: RSA-encrypted AES key || RFC 5649 wrap", async () => {
    const out = at("rsa-wrapped.bin");
    const result = await cli([
      "byok",
      "wrap",
      "--public-key",
      at("WrappingPublicKey.pem"),
      "--wrapping-algorithm",
      "RSA_AES_KEY_WRAP_SHA_1",
      "--key-spec",
      "RSA_2048",
      "--material",
      material("RSA_2048"),
      "--out",
      out,
    ]);
    expect(result.code).toBe(0);
    const wrapped = readFileSync(out);
    writeFileSync(at("aes-part.bin"), wrapped.subarray(0, 384));
    writeFileSync(at("kwp-part.bin"), wrapped.subarray(384));
    const aesKey = openssl(oaepDecryptArgs(at("wrapping.pem"), at("aes-part.bin"), "sha1"));
    const unwrapped = openssl(kwpUnwrapArgs(aesKey, at("kwp-part.bin")));
    expect(unwrapped.equals(readFileSync(material("RSA_2048")))).toBe(true);
  });

  it("refuses impossible combinations (naming the choices), wrong sizes and bad public keys; writes nothing", async () => {
    const base = [
      "byok",
      "wrap",
      "--material",
      material("RSA_2048"),
      "--key-spec",
      "RSA_2048",
      "--out",
      at("never.bin"),
    ];
    const oaep = await cli([
      ...base,
      "--public-key",
      at("WrappingPublicKey.der"),
      "--wrapping-algorithm",
      "RSAES_OAEP_SHA_256",
    ]);
    expect(oaep.code).toBe(1);
    expect(oaep.stderr).toMatch(
      /RSAES_OAEP_SHA_256 with an RSA_3072 wrapping key cannot carry RSA_2048 material \(allowed: RSA_AES_KEY_WRAP_SHA_256\/RSA_4096/,
    );
    const size = await cli([
      ...base,
      "--public-key",
      at("WrappingPublicKey.der"),
      "--wrapping-algorithm",
      "RSA_AES_KEY_WRAP_SHA_256",
      "--wrapping-key-spec",
      "RSA_4096",
    ]);
    expect(size.stderr).toBe(
      `keyplane: ${at("WrappingPublicKey.der")}: the key is RSA_3072, but wrapping key spec RSA_4096 was asked for\n`,
    );
    writeFileSync(at("junk.der"), Buffer.from([0x30, 0x03, 0x01, 0x02]));
    const junk = await cli([
      ...base,
      "--public-key",
      at("junk.der"),
      "--wrapping-algorithm",
      "RSA_AES_KEY_WRAP_SHA_256",
    ]);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toMatch(/junk.der: not an RSA public key/);
    const pkcs1 = await cli([
      ...base,
      "--public-key",
      at("WrappingPublicKey.der"),
      "--wrapping-algorithm",
      "RSAES_PKCS1_V1_5",
    ]);
    expect(pkcs1.code).toBe(2);
    expect(readdirSync(dir)).not.toContain("never.bin");
  });
});

describe("byok escrow split and combine", () => {
  it("splits 2-of-3 sealed under passphrase files, combines two back into a 0600 file with the same KCV", async () => {
    const original = material("HMAC_384");
    const passphrases = ["first custodian", "second custodian", "third custodian"].map((text, i) => {
      const path = at(`pass-${i + 1}.txt`);
      writeFileSync(path, `${text}\n`, { mode: 0o600 });
      return path;
    });
    const outDir = at("shares");
    const split = await cli([
      "byok",
      "escrow",
      "split",
      "--material",
      original,
      "--key-spec",
      "HMAC_384",
      "--shares",
      "3",
      "--threshold",
      "2",
      "--out-dir",
      outDir,
      "--key",
      "arn:aws:kms:eu-west-1:111111111111:key/k1",
      "--output",
      "json",
      ...passphrases.flatMap((path) => ["--passphrase-file", path]),
    ]);
    expect(split.code).toBe(0);
    const { files, checkValue } = JSON.parse(split.stdout);
    for (const file of files) secretFiles.add(file);
    // Named per material (key, check value, material id), so later cycles never collide.
    expect(files).toHaveLength(3);
    files.forEach((file: string, i: number) => {
      expect(file).toMatch(new RegExp(`^${outDir}/k1-${checkValue}-[0-9a-f]+-share-${i + 1}-of-3\\.json$`));
    });
    const out = at("recovered.bin");
    secretFiles.add(out);
    const combined = await cli([
      "byok",
      "escrow",
      "combine",
      "--share",
      files[2],
      files[0],
      "--passphrase-file",
      passphrases[2]!,
      passphrases[0]!,
      "--out",
      out,
      "--output",
      "json",
    ]);
    expect(combined.code).toBe(0);
    expect(JSON.parse(combined.stdout)).toMatchObject({ checkValue, keySpec: "HMAC_384", shares: "1,3" });
    expect(readFileSync(out).equals(readFileSync(original))).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const wrongPass = await cli([
      "byok",
      "escrow",
      "combine",
      "--share",
      files[0],
      "--share",
      files[1],
      "--passphrase-file",
      passphrases[1]!,
      "--passphrase-file",
      passphrases[1]!,
      "--out",
      at("nope.bin"),
    ]);
    expect(wrongPass).toMatchObject({
      code: 1,
      stderr: `keyplane: ${files[0]}: wrong passphrase, or the sealed share was altered\n`,
    });
    const tooFew = await cli([
      "byok",
      "escrow",
      "combine",
      "--share",
      files[0],
      "--passphrase-file",
      passphrases[0]!,
      "--out",
      at("nope.bin"),
    ]);
    expect(tooFew).toMatchObject({ code: 1, stderr: "keyplane: escrow: 1 share(s) given, 2 of 3 needed\n" });
    expect(readdirSync(dir)).not.toContain("nope.bin");
  });
});

describe("byok journal verify", () => {
  it("an intact journal exits 0; an edited one exits 1 naming the line", async () => {
    const path = at("ceremony.jsonl");
    for (const event of ["params", "wrap", "import", "verify"]) {
      appendJournal(path, event, { keyArn: "arn:aws:kms:eu-west-1:111111111111:key/k1", outcome: "ok" });
    }
    const ok = await cli(["byok", "journal", "verify", path, "--output", "json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ entries: 4, chain: "intact" });
    const lines = readFileSync(path, "utf8").split("\n");
    writeFileSync(path, [lines[0], lines[2], lines[1], lines[3], ""].join("\n"));
    const broken = await cli(["byok", "journal", "verify", path]);
    expect(broken).toMatchObject({ code: 1, stdout: "" });
    expect(broken.stderr).toBe(
      `keyplane: ${path}: line 2 does not follow line 1 (hash chain broken: a line was removed, inserted or reordered)\n`,
    );
  });
});

describe("more refusals a user can reach", () => {
  it.each([
    [
      "a material file in a missing directory",
      () => ["byok", "generate", "--key-spec", "HMAC_256", "--out", at("no/such/dir/m.bin")],
      /no\/such\/dir\/m.bin: cannot create the file \(ENOENT\)/,
    ],
    [
      "a missing material file",
      () => ["byok", "kcv", "--material", at("absent.bin")],
      /--material .*absent.bin: no such file$/m,
    ],
    [
      "an RSA key of a size KMS has no spec for",
      () => {
        const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
        writeFileSync(at("rsa1024.pem"), privateKey.export({ type: "pkcs8", format: "pem" }));
        return ["byok", "kcv", "--material", at("rsa1024.pem")];
      },
      /rsa1024.pem: a rsa key of this size or curve fits no KMS key spec/,
    ],
    [
      "a missing share file",
      () => [
        "byok",
        "escrow",
        "combine",
        "--share",
        at("gone-1.json"),
        at("gone-2.json"),
        "--out",
        at("x.bin"),
      ],
      /--share .*gone-1.json: no such file$/m,
    ],
    [
      "a missing journal",
      () => ["byok", "journal", "verify", at("absent.jsonl")],
      /absent.jsonl: no such journal/,
    ],
  ])("%s: exit 1, one line", async (_name, args, message) => {
    const result = await cli(args());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("split with a passphrase file count that does not match the shares is a usage error", async () => {
    writeFileSync(at("only-one.txt"), "a single passphrase\n");
    const result = await cli([
      "byok",
      "escrow",
      "split",
      "--material",
      material("HMAC_384"),
      "--shares",
      "3",
      "--threshold",
      "2",
      "--out-dir",
      at("never-shares"),
      "--passphrase-file",
      at("only-one.txt"),
    ]);
    expect(result).toMatchObject({
      code: 2,
      stderr: "keyplane: --passphrase-file: give one per share (3), got 1\n",
    });
    expect(readdirSync(dir)).not.toContain("never-shares");
  });

  it("a journal that cannot be opened, or whose chain is broken, stops the step before anything is written", async () => {
    const result = await runCli(
      [
        "--journal",
        at("no/dir/j.jsonl"),
        "byok",
        "generate",
        "--key-spec",
        "HMAC_224",
        "--out",
        at("with-bad-journal.bin"),
      ],
      { cwd: dir },
    );
    results.push(result);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no\/dir\/j.jsonl: cannot open the journal \(ENOENT\)/);
    writeFileSync(at("broken.jsonl"), '{"seq":1}\n');
    const broken = await runCli(
      [
        "--journal",
        at("broken.jsonl"),
        "byok",
        "generate",
        "--key-spec",
        "HMAC_224",
        "--out",
        at("with-bad-journal.bin"),
      ],
      { cwd: dir },
    );
    results.push(broken);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken.jsonl: line 1 was edited/);
    expect(readdirSync(dir)).not.toContain("with-bad-journal.bin");
  });
});

describe("one offline flow: its journal and a scan for material", () => {
  // Wrap, split and combine of their own, so these checks hold when run alone (`-t`); run with the whole
  // file, the scan also covers every other test's output and files.
  beforeAll(async () => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(at("flow-public.der"), publicKey.export({ type: "spki", format: "der" }));
    const wrap = await cli([
      "byok",
      "wrap",
      "--public-key",
      at("flow-public.der"),
      "--wrapping-algorithm",
      "RSA_AES_KEY_WRAP_SHA_256",
      "--key-spec",
      "ECC_NIST_P256",
      "--material",
      material("ECC_NIST_P256"),
      "--out",
      at("flow-wrapped.bin"),
    ]);
    expect(wrap.code).toBe(0);
    const split = await cli([
      "byok",
      "escrow",
      "split",
      "--material",
      material("HMAC_384"),
      "--shares",
      "2",
      "--threshold",
      "2",
      "--out-dir",
      at("flow-shares"),
    ]);
    expect(split.code).toBe(0);
    const shares = readdirSync(at("flow-shares"))
      .filter((name) => name.includes("-share-"))
      .map((name) => join(at("flow-shares"), name));
    for (const share of shares) secretFiles.add(share);
    secretFiles.add(at("flow-recovered.bin"));
    const combine = ["byok", "escrow", "combine", "--share", ...shares, "--out", at("flow-recovered.bin")];
    expect((await cli(combine)).code).toBe(0);
  }, 60_000);

  it("the journal holds a verifiable, non-secret record of each generate, wrap, split and combine", () => {
    const entries = readJournal(journal());
    const events = new Set(entries.map((entry) => entry.event));
    expect([...events].sort()).toEqual(["escrow-combine", "escrow-split", "generate", "wrap"]);
    const wrap = entries.find((entry) => entry.event === "wrap");
    expect(wrap).toMatchObject({
      outcome: "ok",
      wrappingAlgorithm: expect.any(String),
      publicKeyFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      caller: expect.stringMatching(/^local:/),
    });
  });

  it("scans every stdout/stderr of this file's CLI runs and every other file written for material as raw, hex and base64", () => {
    const materials = [...secretFiles]
      .filter((path) => !path.includes(`${join(dir, "shares")}`) && !path.includes(at("flow-shares")))
      .map((path) => readFileSync(path));
    expect(materials.length).toBeGreaterThanOrEqual(5);
    const needles = materials.flatMap((bytes) => {
      const probe = bytes.subarray(Math.max(0, bytes.length - 32));
      return [
        probe.toString("hex"),
        probe.toString("hex").toUpperCase(),
        probe.subarray(0, 24).toString("base64"),
      ];
    });
    const haystacks: [string, Buffer][] = results.map((result, i) => [
      `run ${i}`,
      Buffer.from(result.stdout + result.stderr),
    ]);
    const walk = (folder: string): string[] =>
      readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? walk(join(folder, entry.name)) : [join(folder, entry.name)],
      );
    for (const path of walk(dir).filter((path) => !secretFiles.has(path)))
      haystacks.push([path, readFileSync(path)]);
    // At least the four generates and the flow's wrap, split and combine were scanned.
    expect(results.length).toBeGreaterThanOrEqual(7);
    for (const [name, haystack] of haystacks) {
      for (const bytes of materials) {
        const probe = bytes.subarray(Math.max(0, bytes.length - 32));
        expect({ name, raw: haystack.includes(probe) }).toEqual({ name, raw: false });
      }
      const text = haystack.toString("latin1");
      for (const needle of needles)
        expect({ name, found: text.includes(needle) }).toEqual({ name, found: false });
    }
  });
});
