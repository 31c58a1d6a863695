import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { combineShareFiles } from "../../byok/escrow/combine";
import { canonicalJson, parseShareFile, shareChecksum } from "../../byok/escrow/share-file";
import { splitToShareFiles } from "../../byok/escrow/split";
import { generateMaterial } from "../../byok/material/generate";

const ARN = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
let root: string;
let n = 0;
function freshDir(): string {
  n += 1;
  return join(root, `split-${n}`);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "keyplane-escrow-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function rewrite(path: string, change: (file: Record<string, unknown>) => void, fixChecksum: boolean): void {
  const file = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  change(file);
  if (fixChecksum) {
    const { checksum: _old, ...rest } = file;
    file.checksum = shareChecksum(rest as never);
  }
  writeFileSync(path, JSON.stringify(file));
}

describe("escrow round trip", () => {
  it.each(["SYMMETRIC_DEFAULT", "HMAC_512", "ECC_NIST_P384", "RSA_2048"] as const)(
    "%s: 3-of-5 split, any 3 recover the material, files 0600 in the documented format",
    async (keySpec) => {
      const material = generateMaterial(keySpec);
      const outDir = freshDir();
      const result = await splitToShareFiles({ material, shares: 5, threshold: 3, outDir, keyArn: ARN });
      expect(result.files).toHaveLength(5);
      for (const path of result.files) expect(statSync(path).mode & 0o777).toBe(0o600);
      const file = parseShareFile(readFileSync(result.files[0]!, "utf8"), "share 1");
      expect(file).toMatchObject({
        format: "keyplane-escrow-share",
        version: 1,
        keyArn: ARN,
        keySpec,
        checkValue: material.checkValue,
        index: 1,
        threshold: 3,
        shares: 5,
        sealed: null,
      });
      for (const pick of [
        [0, 1, 2],
        [2, 3, 4],
        [0, 2, 4],
        [0, 1, 2, 3, 4],
      ]) {
        const combined = await combineShareFiles({ files: pick.map((i) => result.files[i]!) });
        expect(combined.material.checkValue).toBe(material.checkValue);
        expect(combined.material.withBytes((b) => material.withBytes((m) => b.equals(m)))).toBe(true);
        expect(combined.keyArn).toBe(ARN);
        combined.material.dispose();
      }
      material.dispose();
    },
  );

  it("sealed shares open only with their custodian's passphrase", async () => {
    const material = generateMaterial("SYMMETRIC_DEFAULT");
    const passphrases = ["alice passphrase", "bob passphrase", "carol passphrase"];
    const { files } = await splitToShareFiles({
      material,
      shares: 3,
      threshold: 2,
      outDir: freshDir(),
      passphrases,
    });
    const share = JSON.parse(readFileSync(files[0]!, "utf8"));
    expect(share.share).toBeNull();
    expect(share.sealed).toMatchObject({ kdf: "scrypt", N: 32768, r: 8, p: 1, cipher: "aes-256-gcm" });
    const ok = await combineShareFiles({
      files: [files[0]!, files[2]!],
      passphrase: ({ index }) => passphrases[index - 1],
    });
    expect(ok.material.checkValue).toBe(material.checkValue);
    ok.material.dispose();
    await expect(
      combineShareFiles({ files: [files[0]!, files[1]!], passphrase: () => "alice passphrase" }),
    ).rejects.toThrow(`${files[1]}: wrong passphrase, or the sealed share was altered`);
    await expect(combineShareFiles({ files: [files[0]!, files[1]!] })).rejects.toThrow(
      /the share is sealed; give its custodian's passphrase/,
    );
    material.dispose();
  });
});

describe("escrow refusals", () => {
  let files: string[];
  let other: string[];
  let checkValue: string;
  beforeAll(async () => {
    const material = generateMaterial("SYMMETRIC_DEFAULT");
    checkValue = material.checkValue;
    files = (await splitToShareFiles({ material, shares: 3, threshold: 2, outDir: freshDir(), keyArn: ARN }))
      .files;
    other = (await splitToShareFiles({ material, shares: 3, threshold: 2, outDir: freshDir(), keyArn: ARN }))
      .files;
    material.dispose();
  });

  it("too few shares", async () => {
    await expect(combineShareFiles({ files: [files[0]!] })).rejects.toThrow(
      "escrow: 1 share(s) given, 2 of 3 needed",
    );
  });

  it("the same share twice", async () => {
    await expect(combineShareFiles({ files: [files[0]!, files[0]!] })).rejects.toThrow(
      /duplicate of share 1/,
    );
  });

  it("shares of another split of the same material (another ceremony)", async () => {
    await expect(combineShareFiles({ files: [files[0]!, other[1]!] })).rejects.toThrow(
      /belongs to a different key or split .*ceremonyId/,
    );
  });

  it("shares of another key", async () => {
    const material = generateMaterial("SYMMETRIC_DEFAULT");
    const foreign = (
      await splitToShareFiles({ material, shares: 2, threshold: 2, outDir: freshDir(), keyArn: `${ARN}9` })
    ).files;
    material.dispose();
    await expect(combineShareFiles({ files: [files[0]!, foreign[1]!] })).rejects.toThrow(
      /different key or split .*keyArn/,
    );
    await expect(combineShareFiles({ files: foreign, expectedKeyArn: ARN })).rejects.toThrow(
      /shares are of key .*, not/,
    );
  });

  it("a tampered share: checksum mismatch; with the checksum recomputed, the KCV check catches it", async () => {
    const dir = freshDir();
    const material = generateMaterial("SYMMETRIC_DEFAULT");
    const copies = (await splitToShareFiles({ material, shares: 2, threshold: 2, outDir: dir })).files;
    material.dispose();
    const flip = (file: Record<string, unknown>) => {
      const bytes = Buffer.from(String(file.share), "base64");
      bytes[0] = (bytes[0] ?? 0) ^ 0xff;
      file.share = bytes.toString("base64");
    };
    rewrite(copies[0]!, flip, false);
    await expect(combineShareFiles({ files: copies })).rejects.toThrow(
      `${copies[0]}: checksum mismatch: the share file was altered or damaged`,
    );
    rewrite(copies[0]!, () => undefined, true);
    await expect(combineShareFiles({ files: copies })).rejects.toThrow(
      /check value does not match the shares'/,
    );
  });

  it("an edited header (threshold lowered) is caught by the checksum", async () => {
    const dir = freshDir();
    const material = generateMaterial("HMAC_256");
    const copies = (await splitToShareFiles({ material, shares: 3, threshold: 3, outDir: dir })).files;
    material.dispose();
    rewrite(
      copies[0]!,
      (file) => {
        file.threshold = 1;
      },
      false,
    );
    await expect(combineShareFiles({ files: copies })).rejects.toThrow(/checksum mismatch/);
  });

  it("not a share file, an unknown version", async () => {
    const junk = join(root, "junk.json");
    writeFileSync(junk, "{}");
    await expect(combineShareFiles({ files: [junk, files[0]!] })).rejects.toThrow(
      `${junk}: not a keyplane escrow share`,
    );
    writeFileSync(junk, JSON.stringify({ format: "keyplane-escrow-share", version: 9 }));
    await expect(combineShareFiles({ files: [junk] })).rejects.toThrow(/version 9 is not supported/);
  });

  it("bad counts, short passphrases, and overwriting existing shares", async () => {
    const material = generateMaterial("SYMMETRIC_DEFAULT");
    const outDir = freshDir();
    await expect(splitToShareFiles({ material, shares: 1, threshold: 1, outDir })).rejects.toThrow(
      /--shares: expected a whole number from 2 to 255/,
    );
    await expect(splitToShareFiles({ material, shares: 3, threshold: 4, outDir })).rejects.toThrow(
      /--threshold: expected a whole number from 2 to 3/,
    );
    await expect(
      splitToShareFiles({
        material,
        shares: 2,
        threshold: 2,
        outDir,
        passphrases: ["short", "longer passphrase"],
      }),
    ).rejects.toThrow(/at least 8 characters/);
    // One passphrase for every share would let one custodian open them all (crypto-interop D11).
    await expect(
      splitToShareFiles({
        material,
        shares: 2,
        threshold: 2,
        outDir,
        passphrases: ["the same passphrase", "the same passphrase"],
      }),
    ).rejects.toThrow("passphrases: each share needs its own custodian's passphrase");
    const first = await splitToShareFiles({ material, shares: 2, threshold: 2, outDir });
    await expect(
      splitToShareFiles({ material, shares: 2, threshold: 2, outDir, ceremonyId: first.ceremonyId }),
    ).rejects.toThrow(/already exists; refusing to overwrite/);
    // Two shares and the manifest of the first split; the refused one wrote nothing.
    expect(readdirSync(outDir)).toHaveLength(3);
    expect(checkValue).toMatch(/^[0-9A-F]{6}$/);
    material.dispose();
  });

  it("canonical JSON sorts keys at every level", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, "x"], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
  });
});
