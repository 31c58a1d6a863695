import { createHmac, createPrivateKey, generateKeyPairSync, randomBytes } from "node:crypto";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  type KMSClient,
  TagResourceCommand,
} from "@aws-sdk/client-kms";
import type { KeyplaneError } from "../../byok/errors";
import { importMaterial } from "../../byok/import/import-material";
import { getImportParameters, type ImportParameters } from "../../byok/import/parameters";
import { verifyImport } from "../../byok/import/verify";
import { verifyByCheckValue } from "../../byok/import/verify-check-value";
import { createKmsClient } from "../../byok/kms/client";
import { createLimiter } from "../../byok/kms/limiter";
import { listKeys } from "../../byok/kms/list-keys";
import { resolveKey } from "../../byok/kms/resolve-key";
import { wrapForImport } from "../sandbox/wrap";
import { type SandboxHandle, startSandbox } from "../support/sandbox";

let sandbox: SandboxHandle;
let kms: KMSClient;

beforeAll(async () => {
  sandbox = await startSandbox({ wrappingKeyPool: 2 });
  kms = createKmsClient({ endpointUrl: sandbox.url, region: sandbox.region });
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIAKEYPLANETEST0000", AWS_SECRET_ACCESS_KEY: "x" });
});
afterAll(async () => {
  kms.destroy();
  await sandbox.stop();
});

async function externalKey(
  KeySpec: "SYMMETRIC_DEFAULT" | "HMAC_256" | "ECC_NIST_P256" = "SYMMETRIC_DEFAULT",
) {
  const KeyUsage =
    KeySpec === "HMAC_256" ? "GENERATE_VERIFY_MAC" : KeySpec === "ECC_NIST_P256" ? "SIGN_VERIFY" : undefined;
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec, KeyUsage }));
  return KeyMetadata!.Arn!;
}

/** The key and token part of an import request. */
function target(parameters: ImportParameters) {
  return { keyArn: parameters.keyArn, keySpec: parameters.keySpec, importToken: parameters.importToken };
}

async function rejection(promise: Promise<unknown>): Promise<KeyplaneError> {
  try {
    await promise;
  } catch (error) {
    return error as KeyplaneError;
  }
  throw new Error("expected a rejection");
}

describe("key resolution", () => {
  test("key id, key ARN, alias name and alias ARN resolve to the same key", async () => {
    const arn = await externalKey();
    await kms.send(new CreateAliasCommand({ AliasName: "alias/test/resolve", TargetKeyId: arn }));
    const keyId = arn.split("/")[1]!;
    const aliasArn = `arn:aws:kms:${sandbox.region}:${sandbox.accountId}:alias/test/resolve`;
    for (const reference of [keyId, arn, "alias/test/resolve", aliasArn]) {
      expect((await resolveKey(kms, reference)).Arn).toBe(arn);
    }
  });

  test("an unknown alias keeps AWS's NotFoundException name and says what to check", async () => {
    const error = await rejection(resolveKey(kms, "alias/test/nope"));
    expect(error.code).toBe("AWS");
    expect(error.awsName).toBe("NotFoundException");
    expect(error.oneLine()).toMatch(/alias\/test\/nope.*check the key id/);
  });
});

describe("import parameters", () => {
  test("reports ParametersValidTo (24 hours) and the public key's fingerprint", async () => {
    const arn = await externalKey();
    const parameters = await getImportParameters(kms, arn, "RSAES_OAEP_SHA_256", "RSA_4096");
    const hours = (parameters.parametersValidTo.getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23);
    expect(hours).toBeLessThanOrEqual(24);
    expect(parameters.publicKeySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(parameters.keySpec).toBe("SYMMETRIC_DEFAULT");
  });

  test("a key with KMS-made material is refused, naming its origin", async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const error = await rejection(
      getImportParameters(kms, KeyMetadata!.Arn!, "RSAES_OAEP_SHA_256", "RSA_2048"),
    );
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.message).toContain("key origin is AWS_KMS, not EXTERNAL");
  });

  test("an impossible wrapping choice is refused before the call, naming the allowed ones", async () => {
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" }),
    );
    const error = await rejection(
      getImportParameters(kms, KeyMetadata!.Arn!, "RSAES_OAEP_SHA_256", "RSA_4096"),
    );
    expect(error.message).toMatch(
      /cannot carry RSA_2048 material \(allowed: RSA_AES_KEY_WRAP_SHA_256\/RSA_4096/,
    );
  });
});

describe("import and verify", () => {
  test("symmetric: imported with ValidTo, then an Encrypt/Decrypt round trip proves it", async () => {
    const arn = await externalKey();
    const material = randomBytes(32);
    const parameters = await getImportParameters(kms, arn, "RSAES_OAEP_SHA_256", "RSA_2048");
    const result = await importMaterial(kms, {
      ...target(parameters),
      wrapped: wrapForImport(parameters.publicKey, "RSAES_OAEP_SHA_256", material),
      expiry: { kind: "expires-in", durationMs: 30 * 86_400_000 },
      importType: "new",
      description: "first material",
    });
    expect(result.expiry.ExpirationModel).toBe("KEY_MATERIAL_EXPIRES");
    expect(result.keyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(result.importTokenSha256).toMatch(/^[0-9a-f]{64}$/);
    await expect(verifyImport(kms, { keyArn: arn, keySpec: "SYMMETRIC_DEFAULT", material })).resolves.toEqual(
      {
        keyArn: arn,
        keyState: "Enabled",
        check: "encrypt-decrypt",
      },
    );
    // Material waiting for its rotation cannot be proven by a round trip (KMS uses the current one): said.
    await expect(
      verifyImport(kms, { keyArn: arn, keySpec: "SYMMETRIC_DEFAULT", material, pendingRotation: true }),
    ).resolves.toMatchObject({ check: "pending-rotation" });
  });

  test("HMAC: KMS's GenerateMac equals the local HMAC; other material is caught", async () => {
    const arn = await externalKey("HMAC_256");
    const material = randomBytes(32);
    const parameters = await getImportParameters(kms, arn, "RSAES_OAEP_SHA_256", "RSA_2048");
    await importMaterial(kms, {
      ...target(parameters),
      wrapped: wrapForImport(parameters.publicKey, "RSAES_OAEP_SHA_256", material),
      expiry: { kind: "none" },
    });
    await expect(verifyImport(kms, { keyArn: arn, keySpec: "HMAC_256", material })).resolves.toMatchObject({
      check: "generate-mac",
    });
    const error = await rejection(
      verifyImport(kms, { keyArn: arn, keySpec: "HMAC_256", material: randomBytes(32) }),
    );
    expect(error.code).toBe("INTEGRITY");
    expect(error.message).toContain("GenerateMac differs");
    // Without the material (the air-gapped import): KMS's MAC of the zero block is the check value.
    const expected = createHmac("sha256", material).update(Buffer.alloc(16)).digest().subarray(0, 3);
    await expect(
      verifyByCheckValue(kms, { keyArn: arn, keySpec: "HMAC_256", recorded: expected.toString("hex") }),
    ).resolves.toMatchObject({
      check: "generate-mac",
      checkValue: expected.toString("hex").toUpperCase(),
      checkValueSource: "kms",
    });
    const recordError = await rejection(
      verifyByCheckValue(kms, { keyArn: arn, keySpec: "HMAC_256", recorded: "000000" }),
    );
    expect(recordError.code).toBe("INTEGRITY");
    expect(recordError.message).toBe(
      `verify ${arn}: KMS holds material with check value ${expected.toString("hex").toUpperCase()}; the wrap record says 000000`,
    );
  });

  test("RSA for encryption: KMS decrypts what was encrypted here to the material's public key", async () => {
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" }),
    );
    const arn = KeyMetadata!.Arn!;
    const material = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "der",
    });
    const parameters = await getImportParameters(kms, arn, "RSA_AES_KEY_WRAP_SHA_256", "RSA_3072");
    await importMaterial(kms, {
      ...target(parameters),
      wrapped: wrapForImport(parameters.publicKey, "RSA_AES_KEY_WRAP_SHA_256", material),
      expiry: { kind: "expires-in", durationMs: 86_400_000 },
    });
    await expect(verifyImport(kms, { keyArn: arn, keySpec: "RSA_2048", material })).resolves.toMatchObject({
      check: "decrypt",
    });
  });

  test("ECC: KMS's public key equals the one derived from the material, and KMS's signature verifies under it", async () => {
    const arn = await externalKey("ECC_NIST_P256");
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const material = privateKey.export({ type: "pkcs8", format: "der" });
    const parameters = await getImportParameters(kms, arn, "RSA_AES_KEY_WRAP_SHA_256", "RSA_3072");
    await importMaterial(kms, {
      ...target(parameters),
      wrapped: wrapForImport(parameters.publicKey, "RSA_AES_KEY_WRAP_SHA_256", material),
      expiry: { kind: "expires-in", durationMs: 86_400_000 },
    });
    await expect(
      verifyImport(kms, { keyArn: arn, keySpec: "ECC_NIST_P256", material }),
    ).resolves.toMatchObject({
      check: "sign-verify",
    });
    const other = createPrivateKey(
      generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({
        type: "pkcs8",
        format: "pem",
      }),
    ).export({ type: "pkcs8", format: "der" });
    await expect(
      verifyImport(kms, { keyArn: arn, keySpec: "ECC_NIST_P256", material: other }),
    ).rejects.toThrow(/public key differs/);
  });

  test("a key still PendingImport fails verification, naming its state", async () => {
    const arn = await externalKey();
    const error = await rejection(
      verifyImport(kms, { keyArn: arn, keySpec: "SYMMETRIC_DEFAULT", material: randomBytes(32) }),
    );
    expect(error.message).toContain("key state is PendingImport after import, not Enabled");
  });

  test("different material as EXISTING_KEY_MATERIAL: the message says the original is in escrow", async () => {
    const arn = await externalKey();
    const first = randomBytes(32);
    let parameters = await getImportParameters(kms, arn, "RSAES_OAEP_SHA_256", "RSA_2048");
    await importMaterial(kms, {
      ...target(parameters),
      wrapped: wrapForImport(parameters.publicKey, "RSAES_OAEP_SHA_256", first),
      expiry: { kind: "none" },
    });
    parameters = await getImportParameters(kms, arn, "RSAES_OAEP_SHA_256", "RSA_2048");
    const error = await rejection(
      importMaterial(kms, {
        ...target(parameters),
        wrapped: wrapForImport(parameters.publicKey, "RSAES_OAEP_SHA_256", randomBytes(32)),
        expiry: { kind: "none" },
        importType: "existing",
      }),
    );
    expect(error.awsName).toBe("IncorrectKeyMaterialException");
    expect(error.oneLine()).toContain("re-import needs the original material");
  });
});

describe("an expired import token", () => {
  test("is refetched and the material rewrapped once, automatically", async () => {
    const arn = await externalKey();
    const material = randomBytes(32);
    const parameters = await getImportParameters(kms, arn, "RSAES_OAEP_SHA_256", "RSA_2048");
    const wrapped = wrapForImport(parameters.publicKey, "RSAES_OAEP_SHA_256", material);
    await sandbox.advanceClock("25h");
    let rewraps = 0;
    const result = await importMaterial(kms, {
      ...target(parameters),
      wrapped,
      expiry: { kind: "none" },
      refetch: {
        wrappingAlgorithm: "RSAES_OAEP_SHA_256",
        wrappingKeySpec: "RSA_2048",
        rewrap: (fresh) => {
          rewraps += 1;
          return wrapForImport(fresh.publicKey, "RSAES_OAEP_SHA_256", material);
        },
      },
    });
    expect(rewraps).toBe(1);
    expect(result.refetched?.publicKeySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.refetched?.publicKeySha256).not.toBe(parameters.publicKeySha256);
    await expect(
      verifyImport(kms, { keyArn: arn, keySpec: "SYMMETRIC_DEFAULT", material }),
    ).resolves.toBeDefined();
  });

  test("without a way to rewrap (air-gapped), AWS's name and the next step are reported", async () => {
    const arn = await externalKey();
    const parameters = await getImportParameters(kms, arn, "RSAES_OAEP_SHA_256", "RSA_2048");
    const wrapped = wrapForImport(parameters.publicKey, "RSAES_OAEP_SHA_256", randomBytes(32));
    await sandbox.advanceClock("25h");
    const error = await rejection(
      importMaterial(kms, { ...target(parameters), wrapped, expiry: { kind: "none" } }),
    );
    expect(error.awsName).toBe("ExpiredImportTokenException");
    expect(error.oneLine()).toContain("fetch new import parameters with `keyplane byok params`");
  });
});

describe("fleet listing", () => {
  test("lists keys with aliases and parsed tags while one call in twenty is throttled", async () => {
    const throttled = await startSandbox({ faults: "throttle:0.05" });
    const client = createKmsClient({ endpointUrl: throttled.url, region: throttled.region, maxAttempts: 20 });
    const limiter = createLimiter(32);
    try {
      const arns = await Promise.all(
        [...Array(40).keys()].map((n) =>
          limiter.run(async () => {
            const { KeyMetadata } = await client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
            await client.send(
              new TagResourceCommand({
                KeyId: KeyMetadata!.KeyId!,
                Tags: [
                  { TagKey: "keyplane:plan", TagValue: "fleet" },
                  { TagKey: "keyplane:material-validity-days", TagValue: String(90 + n) },
                ],
              }),
            );
            return KeyMetadata!.Arn!;
          }),
        ),
      );
      const progress: number[] = [];
      const keys = await listKeys(client, {
        limiter,
        region: throttled.region,
        onKey: (done) => progress.push(done),
      });
      expect(keys.map((key) => key.metadata.Arn).sort()).toEqual([...arns].sort());
      expect(keys.every((key) => key.tags.plan === "fleet")).toBe(true);
      expect(new Set(keys.map((key) => key.tags.materialValidityDays)).size).toBe(40);
      expect(progress.at(-1)).toBe(40);
    } finally {
      client.destroy();
      await throttled.stop();
    }
  }, 120_000);
});
