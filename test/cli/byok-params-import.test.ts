import { randomBytes } from "node:crypto";
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
import { wrapForImport } from "../sandbox/wrap";
import { runCli } from "../support/cli";
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
    ]);
    expect(readFileSync(journal, "utf8")).not.toContain(
      readFileSync(join(out, "ImportToken.bin")).toString("base64"),
    );
    expect(existsSync(`${journal}.lock`)).toBe(false);
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
