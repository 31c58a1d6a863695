import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import { KEY_SPECS } from "../../byok/vocabulary/key-specs";
import { wrapForImport } from "../sandbox/wrap";
import { runCli, withoutJournalAnchor } from "../support/cli";
import { startLossyProxy } from "../support/lossy-proxy";
import { type SandboxHandle, startSandbox } from "../support/sandbox";

let sandbox: SandboxHandle;
let kms: KMSClient;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), "keyplane-params-"));

beforeAll(async () => {
  sandbox = await startSandbox({ wrappingKeyPool: 2 });
  kms = sandbox.kms();
  env = sandbox.env();
});
afterAll(async () => {
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function externalKey(alias: string): Promise<string> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata!.KeyId! }));
  return KeyMetadata!.Arn!;
}

describe("keyplane byok params / import (the air-gapped path's online halves)", () => {
  test("params writes the three files of DESIGN.md; import takes the wrapped material with an expiry", async () => {
    const arn = await externalKey("alias/cli/airgap");
    const out = join(dir, "airgap");
    const params = await runCli(
      [
        "--output",
        "json",
        "byok",
        "params",
        "--key",
        "alias/cli/airgap",
        "--wrapping-algorithm",
        "RSAES_OAEP_SHA_256",
        "--wrapping-key-spec",
        "RSA_3072",
        "--out-dir",
        out,
      ],
      { env },
    );
    expect(params.stderr).toContain("keyplane byok wrap");
    expect(params.code).toBe(0);
    const summary = JSON.parse(params.stdout);
    expect(summary).toMatchObject({
      keyArn: arn,
      keySpec: "SYMMETRIC_DEFAULT",
      wrappingAlgorithm: "RSAES_OAEP_SHA_256",
      wrappingKeySpec: "RSA_3072",
    });
    expect(JSON.parse(readFileSync(join(out, "params.json"), "utf8"))).toEqual({
      keyArn: arn,
      keySpec: "SYMMETRIC_DEFAULT",
      wrappingAlgorithm: "RSAES_OAEP_SHA_256",
      wrappingKeySpec: "RSA_3072",
      parametersValidTo: summary.parametersValidTo,
      publicKeySha256: summary.publicKeySha256,
    });
    expect(statSync(join(out, "ImportToken.bin")).mode & 0o777).toBe(0o600);

    // The offline step, done here by an independent wrap of AWS's documented format.
    const wrappedFile = join(out, "EncryptedKeyMaterial.bin");
    await writeFile(
      wrappedFile,
      wrapForImport(readFileSync(join(out, "WrappingPublicKey.der")), "RSAES_OAEP_SHA_256", randomBytes(32)),
    );
    const imported = await runCli(
      [
        "--output",
        "json",
        "byok",
        "import",
        "--key",
        arn,
        "--import-token",
        join(out, "ImportToken.bin"),
        "--wrapped",
        wrappedFile,
        "--expires-in",
        "90d",
        "--import-type",
        "new",
      ],
      { env },
    );
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    const result = JSON.parse(imported.stdout);
    expect(result).toMatchObject({
      keyArn: arn,
      keyState: "Enabled",
      expirationModel: "KEY_MATERIAL_EXPIRES",
      checkValue: null,
      checkValueSource: null,
      verified: "encrypt-decrypt",
    });
    const days = (Date.parse(result.validTo) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(90);
    const described = await kms.send(new DescribeKeyCommand({ KeyId: arn }));
    expect(described.KeyMetadata?.ValidTo?.toISOString()).toBe(result.validTo);

    // Journaled, the import is locked against a second writer and recorded (never the token).
    const journal = join(dir, "airgap.jsonl");
    const again = await runCli(
      [
        "--journal",
        journal,
        "byok",
        "import",
        "--key",
        arn,
        "--import-token",
        join(out, "ImportToken.bin"),
        "--wrapped",
        wrappedFile,
        "--expires-in",
        "30d",
        "--import-type",
        "existing",
      ],
      { env },
    );
    expect(again.code).toBe(0);
    const records = readFileSync(journal, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(records).toEqual([
      expect.objectContaining({
        event: "import.import",
        outcome: "ok",
        keyArn: arn,
        importTokenSha256: expect.any(String),
      }),
      // Wrapped elsewhere (no wrap record): the round trip ran; no check value is claimed.
      expect.objectContaining({ event: "import.verify", check: "encrypt-decrypt", checkValue: null }),
    ]);
    expect(readFileSync(journal, "utf8")).not.toContain(
      readFileSync(join(out, "ImportToken.bin")).toString("base64"),
    );
    expect(existsSync(`${journal}.lock`)).toBe(false);
  });

  test("offline, wrap and escrow split read the carried params.json; import prints the check value and verifies it", async () => {
    const material = join(dir, "carried-material.bin");
    const hmacMaterial = join(dir, "carried-hmac.bin");
    await writeFile(material, randomBytes(32), { mode: 0o600 });
    await writeFile(hmacMaterial, randomBytes(32), { mode: 0o600 });
    const fetch = async (key: string, out: string, wrappingKeySpec = "RSA_2048") => {
      const args = ["byok", "params", "--key", key, "--wrapping-algorithm", "RSAES_OAEP_SHA_256"];
      const result = await runCli([...args, "--wrapping-key-spec", wrappingKeySpec, "--out-dir", out], {
        env,
      });
      expect(result.code).toBe(0);
      return join(out, "params.json");
    };
    const importArgs = (key: string, out: string, wrapped: string) =>
      [
        "byok",
        "import",
        "--key",
        key,
        "--import-token",
        join(out, "ImportToken.bin"),
        "--wrapped",
        wrapped,
      ].concat(["--expires-in", "30d"]);

    // SYMMETRIC_DEFAULT: nothing but the material and the output is typed offline.
    const arn = await externalKey("alias/cli/carried");
    const params = await fetch(arn, join(dir, "carried"));
    const wrapped = join(dir, "carried", "EncryptedKeyMaterial.bin");
    const wrap = await runCli([
      "--output",
      "json",
      "byok",
      "wrap",
      "--params",
      params,
      "--material",
      material,
      "--out",
      wrapped,
    ]);
    expect(wrap.code).toBe(0);
    const wrapSummary = JSON.parse(wrap.stdout);
    expect(wrapSummary).toMatchObject({
      keyArn: arn,
      keySpec: "SYMMETRIC_DEFAULT",
      record: `${wrapped}.json`,
    });
    const record = JSON.parse(readFileSync(`${wrapped}.json`, "utf8"));
    expect(record).toMatchObject({
      format: "keyplane-wrap-record",
      version: 1,
      keyArn: arn,
      checkValue: wrapSummary.checkValue,
      checkValueMethod: "cmac",
    });
    const split = await runCli(
      ["--output", "json", "byok", "escrow", "split", "--params", params, "--material", material].concat([
        "--shares",
        "2",
        "--threshold",
        "2",
        "--out-dir",
        join(dir, "carried-shares"),
      ]),
    );
    expect(split.code).toBe(0);
    for (const file of JSON.parse(split.stdout).files as string[]) {
      expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({
        keyArn: arn,
        keySpec: "SYMMETRIC_DEFAULT",
      });
    }
    const imported = await runCli(importArgs(arn, join(dir, "carried"), wrapped), { env });
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(
      `check value  ${wrapSummary.checkValue} (from the wrap record: KMS shows nothing derived from an AES key)`,
    );
    expect(imported.stdout).toContain("verified by  encrypt-decrypt");

    // HMAC: KMS's own MAC of the zero block must equal the record's check value.
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }),
    );
    const hmacParams = await fetch(KeyMetadata!.Arn!, join(dir, "carried-hmac"));
    const hmacWrapped = join(dir, "carried-hmac", "EncryptedKeyMaterial.bin");
    const hmacWrap = await runCli([
      "--output",
      "json",
      "byok",
      "wrap",
      "--params",
      hmacParams,
      "--material",
      hmacMaterial,
      "--out",
      hmacWrapped,
    ]);
    expect(hmacWrap.code).toBe(0);
    const hmacImport = await runCli(
      ["--output", "json", ...importArgs(KeyMetadata!.Arn!, join(dir, "carried-hmac"), hmacWrapped)],
      { env },
    );
    expect(hmacImport.code).toBe(0);
    expect(JSON.parse(hmacImport.stdout)).toMatchObject({
      checkValue: JSON.parse(hmacWrap.stdout).checkValue,
      checkValueSource: "kms",
      verified: "generate-mac",
    });
  });

  test("carried parameters refuse what contradicts them: a flag, another public key, another key, other bytes", async () => {
    const material = join(dir, "refused-material.bin");
    await writeFile(material, randomBytes(32), { mode: 0o600 });
    const arn = await externalKey("alias/cli/refused");
    const other = await externalKey("alias/cli/refused-other");
    const out = join(dir, "refused");
    const fetched = await runCli(
      [
        "byok",
        "params",
        "--key",
        arn,
        "--wrapping-algorithm",
        "RSAES_OAEP_SHA_256",
        "--wrapping-key-spec",
        "RSA_2048",
      ].concat(["--out-dir", out]),
      { env },
    );
    expect(fetched.code).toBe(0);
    const params = join(out, "params.json");
    const wrap = (extra: string[], name: string) =>
      runCli([
        "byok",
        "wrap",
        "--params",
        params,
        "--material",
        material,
        "--out",
        join(dir, name),
        ...extra,
      ]);

    const contradicting = await wrap(["--key-spec", "HMAC_256"], "contradicting.bin");
    expect([contradicting.code, contradicting.stderr]).toEqual([
      2,
      "keyplane: --key-spec: HMAC_256 differs from --params, which says SYMMETRIC_DEFAULT (drop the flag or fix it)\n",
    ]);
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    await writeFile(join(dir, "stranger.der"), publicKey.export({ type: "spki", format: "der" }));
    const stranger = await wrap(["--public-key", join(dir, "stranger.der")], "stranger.bin");
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toBe(
      `keyplane: --public-key ${join(dir, "stranger.der")}: its SHA-256 differs from the publicKeySha256 of ${params} (carry the WrappingPublicKey.der and params.json of one byok params run)\n`,
    );
    expect(existsSync(join(dir, "contradicting.bin")) || existsSync(join(dir, "stranger.bin"))).toBe(false);

    const wrapped = join(dir, "refused.bin");
    expect((await wrap([], "refused.bin")).code).toBe(0);
    const again = await wrap([], "refused.bin");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${wrapped}.json: already exists; refusing to overwrite it`);
    const elsewhere = await runCli(
      [
        "byok",
        "import",
        "--key",
        other,
        "--import-token",
        join(out, "ImportToken.bin"),
        "--wrapped",
        wrapped,
        "--no-expiry",
      ],
      { env },
    );
    expect([elsewhere.code, elsewhere.stderr]).toEqual([
      1,
      `keyplane: --wrapped: ${wrapped}.json was wrapped for ${arn}, not ${other} (import it into the key its params.json named)\n`,
    ]);
    const swapped = join(dir, "swapped.bin");
    await writeFile(swapped, randomBytes(256));
    await writeFile(`${swapped}.json`, readFileSync(`${wrapped}.json`));
    const mismatched = await runCli(
      [
        "byok",
        "import",
        "--key",
        arn,
        "--import-token",
        join(out, "ImportToken.bin"),
        "--wrapped",
        swapped,
        "--no-expiry",
      ],
      { env },
    );
    expect([mismatched.code, mismatched.stderr]).toEqual([
      1,
      `keyplane: ${swapped}.json: describes other wrapped material than ${swapped} (carry the wrapped file and its .json together, as byok wrap wrote them)\n`,
    ]);
    // Records that are not what byok wrap writes, or of another key spec, are refused before KMS is asked.
    const bytes = randomBytes(256);
    const forged = join(dir, "forged.bin");
    await writeFile(forged, bytes);
    const sha = createHash("sha256").update(bytes).digest("hex");
    const forgedImport = ["byok", "import", "--key", arn, "--import-token", join(out, "ImportToken.bin")];
    for (const [record, message] of [
      ["{not json", `${forged}.json: not JSON (expected the wrap record byok wrap writes)`],
      [
        JSON.stringify({ format: "other", version: 1 }),
        `${forged}.json: not a keyplane wrap record (format 1)`,
      ],
      [
        JSON.stringify({
          format: "keyplane-wrap-record",
          version: 1,
          keyArn: null,
          keySpec: "HMAC_256",
          checkValue: "ABCDEF",
          wrappedSha256: sha,
        }),
        `--wrapped: ${forged}.json holds HMAC_256 material; ${arn} is SYMMETRIC_DEFAULT`,
      ],
    ] as const) {
      await writeFile(`${forged}.json`, record);
      const refused = await runCli([...forgedImport, "--wrapped", forged, "--no-expiry"], { env });
      expect([refused.code, refused.stderr]).toEqual([1, `keyplane: ${message}\n`]);
    }

    // A params.json that is not one: named with its field, nothing written.
    const badParams = join(dir, "bad-params.json");
    const wrapBad = [
      "byok",
      "wrap",
      "--params",
      badParams,
      "--material",
      material,
      "--out",
      join(dir, "bad.bin"),
    ];
    await writeFile(
      badParams,
      JSON.stringify({ ...JSON.parse(readFileSync(params, "utf8")), keySpec: "AES_512" }),
    );
    const bad = await runCli(wrapBad);
    expect([bad.code, bad.stderr]).toEqual([
      1,
      `keyplane: --params ${badParams}: keySpec: expected one of ${KEY_SPECS.join(", ")}, got "AES_512"\n`,
    ]);
    await writeFile(badParams, "{");
    const notJson = await runCli(wrapBad);
    expect([notJson.code, notJson.stderr]).toEqual([
      1,
      `keyplane: --params ${badParams}: not JSON (expected the params.json of byok params)\n`,
    ]);
    expect(existsSync(join(dir, "bad.bin"))).toBe(false);
    for (const key of [arn, other]) {
      expect((await kms.send(new DescribeKeyCommand({ KeyId: key }))).KeyMetadata?.KeyState).toBe(
        "PendingImport",
      );
    }
  });

  test.each([
    [["byok", "params", "--wrapping-algorithm", "RSAES_OAEP_SHA_256"], "missing --key"],
    [["byok", "params", "--key", "alias/x"], "missing --wrapping-algorithm"],
    [
      [
        "byok",
        "params",
        "--key",
        "alias/x",
        "--wrapping-algorithm",
        "RSAES_PKCS1_V1_5",
        "--wrapping-key-spec",
        "RSA_2048",
      ],
      "RSAES_PKCS1_V1_5 is no longer accepted",
    ],
    [
      [
        "byok",
        "params",
        "--key",
        "alias/x",
        "--wrapping-algorithm",
        "RSAES_OAEP_SHA_256",
        "--wrapping-key-spec",
        "RSA_1024",
      ],
      "--wrapping-key-spec: expected one of RSA_2048, RSA_3072, RSA_4096",
    ],
    [
      ["byok", "import", "--key", "alias/x", "--import-token", "package.json", "--wrapped", "package.json"],
      "missing --expires-in, --valid-to or --no-expiry",
    ],
    [
      [
        "byok",
        "import",
        "--key",
        "alias/x",
        "--import-token",
        "package.json",
        "--wrapped",
        "package.json",
        "--no-expiry",
        "--expires-in",
        "3d",
      ],
      "give only one",
    ],
    [
      ["byok", "import", "--key", "not a key", "--import-token", "t", "--wrapped", "w", "--no-expiry"],
      "--key: expected a key id",
    ],
  ])("%j is a usage error: exit 2, one line naming the flag", async (args, message) => {
    const result = await runCli(args, { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("an import whose answer was lost (KMS imported, the retry is refused) is recognised and journaled, exit 0", async () => {
    const arn = await externalKey("alias/cli/lost-answer");
    const out = join(dir, "lost-answer");
    const params = await runCli(
      [
        "byok",
        "params",
        "--key",
        arn,
        "--wrapping-algorithm",
        "RSAES_OAEP_SHA_256",
        "--wrapping-key-spec",
        "RSA_2048",
        "--out-dir",
        out,
      ],
      { env },
    );
    expect(params.code).toBe(0);
    const wrappedFile = join(out, "EncryptedKeyMaterial.bin");
    await writeFile(
      wrappedFile,
      wrapForImport(readFileSync(join(out, "WrappingPublicKey.der")), "RSAES_OAEP_SHA_256", randomBytes(32)),
    );
    let dropped = 0;
    const proxy = await startLossyProxy(sandbox.url, (operation) => {
      if (operation !== "ImportKeyMaterial" || dropped > 0) return false;
      dropped += 1;
      return true;
    });
    const journal = join(dir, "lost-answer.jsonl");
    try {
      const imported = await runCli(
        [
          "--journal",
          journal,
          "--output",
          "json",
          "byok",
          "import",
          "--key",
          arn,
          "--import-token",
          join(out, "ImportToken.bin"),
          "--wrapped",
          wrappedFile,
          "--expires-in",
          "30d",
          "--import-type",
          "new",
        ],
        { env: { ...env, AWS_ENDPOINT_URL_KMS: proxy.url } },
      );
      expect(withoutJournalAnchor(imported.stderr)).toBe("");
      expect(imported.code).toBe(0);
      expect(proxy.dropped).toEqual([`ImportKeyMaterial ${arn}`]);
      const described = await kms.send(new DescribeKeyCommand({ KeyId: arn }));
      expect(JSON.parse(imported.stdout)).toMatchObject({
        keyState: "Enabled",
        keyMaterialId: described.KeyMetadata?.CurrentKeyMaterialId,
        verified: "encrypt-decrypt",
      });
      const records = readFileSync(journal, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(records[0]).toMatchObject({ event: "import.import", recordedAfterRetry: true });
    } finally {
      await proxy.close();
    }
  });

  test("a missing token file is named, exit 1, nothing imported", async () => {
    const arn = await externalKey("alias/cli/missing-token");
    const result = await runCli(
      [
        "byok",
        "import",
        "--key",
        arn,
        "--import-token",
        join(dir, "nope.bin"),
        "--wrapped",
        join(dir, "nope"),
        "--no-expiry",
      ],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`--import-token ${join(dir, "nope.bin")}: no such file`);
    const described = await kms.send(new DescribeKeyCommand({ KeyId: arn }));
    expect(described.KeyMetadata?.KeyState).toBe("PendingImport");
  });

  test("params for a key with KMS-made material exits 1 naming the origin; no files are written", async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const out = join(dir, "kms-origin");
    const result = await runCli(
      [
        "byok",
        "params",
        "--key",
        KeyMetadata!.Arn!,
        "--wrapping-algorithm",
        "RSAES_OAEP_SHA_256",
        "--wrapping-key-spec",
        "RSA_2048",
        "--out-dir",
        out,
      ],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("key origin is AWS_KMS, not EXTERNAL");
    expect(() => statSync(out)).toThrow();
  });
});
