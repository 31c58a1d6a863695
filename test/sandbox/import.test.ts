import { createHmac, createPublicKey, generateKeyPairSync, randomBytes, verify } from "node:crypto";
import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  ListKeyRotationsCommand,
  RotateKeyOnDemandCommand,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
  type WrappingKeySpec,
} from "@aws-sdk/client-kms";
import forge from "node-forge";
import { useSandbox } from "../support/sandbox";
import { wrapForImport } from "./wrap";

const { sandbox, kms } = useSandbox({ wrappingKeyPool: 2 });

type Algorithm = Parameters<typeof wrapForImport>[1];

async function externalKey(
  input: {
    KeySpec?: "SYMMETRIC_DEFAULT" | "HMAC_256" | "RSA_2048" | "ECC_NIST_P256";
    KeyUsage?: "ENCRYPT_DECRYPT" | "SIGN_VERIFY" | "GENERATE_VERIFY_MAC";
  } = {},
) {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL", ...input }));
  return KeyMetadata!.KeyId!;
}

async function parameters(
  KeyId: string,
  WrappingAlgorithm: Algorithm,
  WrappingKeySpec: WrappingKeySpec = "RSA_2048",
) {
  return kms.send(new GetParametersForImportCommand({ KeyId, WrappingAlgorithm, WrappingKeySpec }));
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);

async function importMaterial(
  KeyId: string,
  material: Buffer,
  algorithm: Algorithm = "RSAES_OAEP_SHA_256",
  extra: Partial<ConstructorParameters<typeof ImportKeyMaterialCommand>[0]> = {},
) {
  const params = await parameters(KeyId, algorithm);
  return kms.send(
    new ImportKeyMaterialCommand({
      KeyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapForImport(params.PublicKey!, algorithm, material),
      ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
      ...extra,
    }),
  );
}

describe("GetParametersForImport", () => {
  test("makes a real RSA wrapping key of the asked size and a token valid 24 hours", async () => {
    const KeyId = await externalKey();
    const params = await parameters(KeyId, "RSAES_OAEP_SHA_256", "RSA_4096");
    const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: "der", type: "spki" });
    expect(publicKey.asymmetricKeyType).toBe("rsa");
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
    const hours = (params.ParametersValidTo!.getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    const other = await parameters(KeyId, "RSAES_OAEP_SHA_256", "RSA_4096");
    expect(Buffer.from(other.PublicKey!).equals(Buffer.from(params.PublicKey!))).toBe(false);
  });

  test("refuses keys whose material KMS generated, and algorithms that cannot carry the material", async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    await expect(parameters(KeyMetadata!.KeyId!, "RSAES_OAEP_SHA_256")).rejects.toMatchObject({
      name: "UnsupportedOperationException",
    });
    const rsaKey = await externalKey({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
    await expect(parameters(rsaKey, "RSAES_OAEP_SHA_256")).rejects.toMatchObject({
      name: "ValidationException",
    });
    await expect(parameters(rsaKey, "RSAES_PKCS1_V1_5" as Algorithm)).rejects.toMatchObject({
      name: "ValidationException",
    });
  });
});

describe("ImportKeyMaterial", () => {
  test("symmetric material (OAEP SHA-256) with an expiry: Enabled, Encrypt/Decrypt bind the context", async () => {
    const KeyId = await externalKey();
    const validTo = inDays(30);
    const imported = await importMaterial(KeyId, randomBytes(32), "RSAES_OAEP_SHA_256", {
      ExpirationModel: "KEY_MATERIAL_EXPIRES",
      ValidTo: validTo,
    });
    expect(imported.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const described = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
    expect(described).toMatchObject({
      KeyState: "Enabled",
      Enabled: true,
      ExpirationModel: "KEY_MATERIAL_EXPIRES",
      CurrentKeyMaterialId: imported.KeyMaterialId,
    });
    expect(Math.abs(described.ValidTo!.getTime() - validTo.getTime())).toBeLessThan(1000);

    const context = { purpose: "test" };
    const encrypted = await kms.send(
      new EncryptCommand({ KeyId, Plaintext: Buffer.from("secret"), EncryptionContext: context }),
    );
    const decrypted = await kms.send(
      new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: context }),
    );
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe("secret");
    expect(decrypted.KeyId).toBe(described.Arn);
    await expect(
      kms.send(
        new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { purpose: "x" } }),
      ),
    ).rejects.toMatchObject({ name: "InvalidCiphertextException" });
    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob })),
    ).rejects.toMatchObject({
      name: "InvalidCiphertextException",
    });
  });

  test("HMAC material (RSA_AES_KEY_WRAP_SHA_1): the sandbox's MAC equals a locally computed HMAC", async () => {
    const KeyId = await externalKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
    const material = randomBytes(32);
    await importMaterial(KeyId, material, "RSA_AES_KEY_WRAP_SHA_1");
    const Message = Buffer.from("message to authenticate");
    const { Mac } = await kms.send(new GenerateMacCommand({ KeyId, Message, MacAlgorithm: "HMAC_SHA_256" }));
    expect(Buffer.from(Mac!).equals(createHmac("sha256", material).update(Message).digest())).toBe(true);
    const verified = await kms.send(
      new VerifyMacCommand({ KeyId, Message, Mac, MacAlgorithm: "HMAC_SHA_256" }),
    );
    expect(verified.MacValid).toBe(true);
    await expect(
      kms.send(
        new VerifyMacCommand({ KeyId, Message: Buffer.from("other"), Mac, MacAlgorithm: "HMAC_SHA_256" }),
      ),
    ).rejects.toMatchObject({ name: "KMSInvalidMacException" });
    await expect(
      kms.send(new GenerateMacCommand({ KeyId, Message, MacAlgorithm: "HMAC_SHA_512" })),
    ).rejects.toMatchObject({ name: "InvalidKeyUsageException" });
  });

  test("RSA signing material (RSA_AES_KEY_WRAP_SHA_256): signatures verify with the imported key", async () => {
    const KeyId = await externalKey({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    await importMaterial(
      KeyId,
      pair.privateKey.export({ format: "der", type: "pkcs8" }),
      "RSA_AES_KEY_WRAP_SHA_256",
    );
    const Message = Buffer.from("signed statement");
    const signed = await kms.send(
      new SignCommand({ KeyId, Message, SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256" }),
    );
    expect(verify("sha256", Message, pair.publicKey, Buffer.from(signed.Signature!))).toBe(true);
    const verified = await kms.send(
      new VerifyCommand({
        KeyId,
        Message,
        Signature: signed.Signature,
        SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256",
      }),
    );
    expect(verified.SignatureValid).toBe(true);
    const pss = await kms.send(new SignCommand({ KeyId, Message, SigningAlgorithm: "RSASSA_PSS_SHA_256" }));
    expect(
      verify(
        "sha256",
        Message,
        { key: pair.publicKey, padding: 6, saltLength: 32 },
        Buffer.from(pss.Signature!),
      ),
    ).toBe(true);
    await expect(
      kms.send(
        new VerifyCommand({
          KeyId,
          Message: Buffer.from("forged"),
          Signature: signed.Signature,
          SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256",
        }),
      ),
    ).rejects.toMatchObject({ name: "KMSInvalidSignatureException" });
    const { PublicKey, SigningAlgorithms } = await kms.send(new GetPublicKeyCommand({ KeyId }));
    expect(Buffer.from(PublicKey!).equals(pair.publicKey.export({ format: "der", type: "spki" }))).toBe(true);
    expect(SigningAlgorithms).toContain("RSASSA_PSS_SHA_512");
  });

  test("ECC material wrapped by node-forge (an independent OAEP implementation) imports and signs", async () => {
    const KeyId = await externalKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    const pair = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const material = pair.privateKey.export({ format: "der", type: "pkcs8" });
    const params = await parameters(KeyId, "RSAES_OAEP_SHA_256", "RSA_3072");
    const pem = createPublicKey({ key: Buffer.from(params.PublicKey!), format: "der", type: "spki" }).export({
      format: "pem",
      type: "spki",
    });
    const forgeKey = forge.pki.publicKeyFromPem(pem.toString()) as forge.pki.rsa.PublicKey;
    const wrapped = forgeKey.encrypt(material.toString("binary"), "RSA-OAEP", {
      md: forge.md.sha256.create(),
      mgf1: { md: forge.md.sha256.create() },
    });
    await kms.send(
      new ImportKeyMaterialCommand({
        KeyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: Buffer.from(wrapped, "binary"),
        ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
      }),
    );
    const Message = Buffer.from("ecdsa");
    const { Signature } = await kms.send(
      new SignCommand({ KeyId, Message, SigningAlgorithm: "ECDSA_SHA_256" }),
    );
    expect(verify("sha256", Message, pair.publicKey, Buffer.from(Signature!))).toBe(true);
  });

  test("refuses another key's token, garbage, an expired token, wrong-size and different material", async () => {
    const KeyId = await externalKey();
    const otherKey = await externalKey();
    const material = randomBytes(32);
    const mine = await parameters(KeyId, "RSAES_OAEP_SHA_256");
    const theirs = await parameters(otherKey, "RSAES_OAEP_SHA_256");
    const attempt = (token: Uint8Array | undefined, wrapped: Buffer) =>
      kms.send(
        new ImportKeyMaterialCommand({
          KeyId,
          ImportToken: token,
          EncryptedKeyMaterial: wrapped,
          ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
        }),
      );
    await expect(
      attempt(theirs.ImportToken, wrapForImport(theirs.PublicKey!, "RSAES_OAEP_SHA_256", material)),
    ).rejects.toMatchObject({ name: "InvalidImportTokenException" });
    await expect(attempt(mine.ImportToken, randomBytes(256))).rejects.toMatchObject({
      name: "InvalidCiphertextException",
    });
    await expect(
      attempt(mine.ImportToken, wrapForImport(mine.PublicKey!, "RSAES_OAEP_SHA_1", material)),
    ).rejects.toMatchObject({ name: "InvalidCiphertextException" });
    await expect(
      attempt(mine.ImportToken, wrapForImport(mine.PublicKey!, "RSAES_OAEP_SHA_256", randomBytes(16))),
    ).rejects.toMatchObject({
      name: "IncorrectKeyMaterialException",
      message: "The key material is 16 bytes long; key spec SYMMETRIC_DEFAULT takes 32 bytes.",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      kms.send(
        new ImportKeyMaterialCommand({
          KeyId,
          ImportToken: mine.ImportToken,
          EncryptedKeyMaterial: wrapForImport(mine.PublicKey!, "RSAES_OAEP_SHA_256", material),
        }),
      ),
    ).rejects.toMatchObject({ name: "ValidationException", message: expect.stringContaining("ValidTo") });
    await attempt(mine.ImportToken, wrapForImport(mine.PublicKey!, "RSAES_OAEP_SHA_256", material));
    await expect(
      attempt(mine.ImportToken, wrapForImport(mine.PublicKey!, "RSAES_OAEP_SHA_256", randomBytes(32))),
    ).rejects.toMatchObject({ name: "IncorrectKeyMaterialException" });

    const late = await parameters(otherKey, "RSAES_OAEP_SHA_256");
    await sandbox.advanceClock("25h");
    await expect(
      kms.send(
        new ImportKeyMaterialCommand({
          KeyId: otherKey,
          ImportToken: late.ImportToken,
          EncryptedKeyMaterial: wrapForImport(late.PublicKey!, "RSAES_OAEP_SHA_256", material),
          ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
        }),
      ),
    ).rejects.toMatchObject({ name: "ExpiredImportTokenException" });
  });
});

describe("material lifecycle", () => {
  test("past ValidTo the material is gone and the key PendingImport; the same material brings it back", async () => {
    const KeyId = await externalKey();
    const material = randomBytes(32);
    const clock = (await (await fetch(`${sandbox.url}/_sandbox/clock`)).json()) as { now: string };
    const now = Date.parse(clock.now);
    await importMaterial(KeyId, material, "RSA_AES_KEY_WRAP_SHA_256", {
      ExpirationModel: "KEY_MATERIAL_EXPIRES",
      ValidTo: new Date(now + 2 * 86_400_000),
    });
    const sealed = await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("kept") }));
    await sandbox.advanceClock("3d");
    expect((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata).toMatchObject({
      KeyState: "PendingImport",
      Enabled: false,
    });
    await expect(kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("x") }))).rejects.toMatchObject({
      name: "KMSInvalidStateException",
    });
    const rotations = await kms.send(
      new ListKeyRotationsCommand({ KeyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
    );
    expect(rotations.Rotations).toEqual([
      expect.objectContaining({ ImportState: "PENDING_IMPORT", KeyMaterialState: "CURRENT" }),
    ]);
    await importMaterial(KeyId, material, "RSAES_OAEP_SHA_1", { ImportType: "EXISTING_KEY_MATERIAL" });
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe("kept");
  });

  test("an expiry set after the sandbox last looked at the clock still comes due (the walk is skipped only until the next known event)", async () => {
    const clock = (await (await fetch(`${sandbox.url}/_sandbox/clock`)).json()) as { now: string };
    const now = Date.parse(clock.now);
    const far = await externalKey();
    await importMaterial(far, randomBytes(32), "RSAES_OAEP_SHA_256", {
      ExpirationModel: "KEY_MATERIAL_EXPIRES",
      ValidTo: new Date(now + 300 * 86_400_000),
    });
    // Reads: each looks at the clock, finds the next event no nearer than the 300 days above.
    for (let i = 0; i < 3; i += 1) await kms.send(new DescribeKeyCommand({ KeyId: far }));
    const near = await externalKey();
    await importMaterial(near, randomBytes(32), "RSAES_OAEP_SHA_256", {
      ExpirationModel: "KEY_MATERIAL_EXPIRES",
      ValidTo: new Date(now + 86_400_000),
    });
    await kms.send(new DescribeKeyCommand({ KeyId: far }));
    await sandbox.advanceClock("2d");
    expect((await kms.send(new DescribeKeyCommand({ KeyId: near }))).KeyMetadata?.KeyState).toBe(
      "PendingImport",
    );
    expect((await kms.send(new DescribeKeyCommand({ KeyId: far }))).KeyMetadata?.KeyState).toBe("Enabled");
  });

  test("re-importing the same material while Enabled renews its expiry", async () => {
    const KeyId = await externalKey();
    const material = randomBytes(32);
    const clock = (await (await fetch(`${sandbox.url}/_sandbox/clock`)).json()) as { now: string };
    const now = Date.parse(clock.now);
    await importMaterial(KeyId, material, "RSAES_OAEP_SHA_256", {
      ExpirationModel: "KEY_MATERIAL_EXPIRES",
      ValidTo: new Date(now + 10 * 86_400_000),
    });
    const renewedTo = new Date(now + 200 * 86_400_000);
    await importMaterial(KeyId, material, "RSAES_OAEP_SHA_256", {
      ExpirationModel: "KEY_MATERIAL_EXPIRES",
      ValidTo: renewedTo,
    });
    await sandbox.advanceClock("11d");
    const described = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
    expect(described.KeyState).toBe("Enabled");
    expect(described.ValidTo?.getTime()).toBe(renewedTo.getTime());
    await expect(
      importMaterial(KeyId, material, "RSAES_OAEP_SHA_256", {
        ExpirationModel: "KEY_MATERIAL_EXPIRES",
        ValidTo: new Date(now + 400 * 86_400_000),
      }),
    ).rejects.toMatchObject({ name: "ValidationException", message: expect.stringContaining("365 days") });
  });

  test("new material waits as PENDING_ROTATION until RotateKeyOnDemand; old ciphertexts still decrypt", async () => {
    const KeyId = await externalKey();
    const first = await importMaterial(KeyId, randomBytes(32), "RSAES_OAEP_SHA_256", {
      KeyMaterialDescription: "v1",
    });
    const old = await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("v1 data") }));
    await expect(kms.send(new RotateKeyOnDemandCommand({ KeyId }))).rejects.toMatchObject({
      name: "KMSInvalidStateException",
      message: expect.stringContaining("has no new key material to rotate to"),
      $metadata: { httpStatusCode: 400 },
    });
    const second = await importMaterial(KeyId, randomBytes(32), "RSAES_OAEP_SHA_256", {
      ImportType: "NEW_KEY_MATERIAL",
      KeyMaterialDescription: "v2",
    });
    let listed = await kms.send(
      new ListKeyRotationsCommand({ KeyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
    );
    expect(listed.Rotations).toEqual([
      expect.objectContaining({
        KeyMaterialId: first.KeyMaterialId,
        KeyMaterialState: "CURRENT",
        KeyMaterialDescription: "v1",
      }),
      expect.objectContaining({
        KeyMaterialId: second.KeyMaterialId,
        KeyMaterialState: "PENDING_ROTATION",
        ImportState: "IMPORTED",
        ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
      }),
    ]);
    await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
    listed = await kms.send(new ListKeyRotationsCommand({ KeyId }));
    expect(listed.Rotations).toEqual([
      expect.objectContaining({
        KeyMaterialId: second.KeyMaterialId,
        KeyMaterialState: "CURRENT",
        RotationType: "ON_DEMAND",
        RotationDate: expect.any(Date),
      }),
    ]);
    expect((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.CurrentKeyMaterialId).toBe(
      second.KeyMaterialId,
    );
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: old.CiphertextBlob }));
    expect(opened.KeyMaterialId).toBe(first.KeyMaterialId);
    const deleted = await kms.send(
      new DeleteImportedKeyMaterialCommand({ KeyId, KeyMaterialId: first.KeyMaterialId }),
    );
    expect(deleted.KeyMaterialId).toBe(first.KeyMaterialId);
    expect((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.KeyState).toBe("PendingImport");
    await expect(kms.send(new DecryptCommand({ CiphertextBlob: old.CiphertextBlob }))).rejects.toMatchObject({
      name: "KMSInvalidStateException",
    });
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.KeyState).toBe("PendingImport");
  });
});
