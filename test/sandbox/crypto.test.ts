import { constants, createPublicKey, publicEncrypt } from "node:crypto";
import {
  CreateKeyCommand,
  DecryptCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  GetPublicKeyCommand,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import { useSandbox } from "../support/sandbox";

const { kms } = useSandbox();

async function symmetricKey(): Promise<{ KeyId: string; Arn: string }> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  return { KeyId: KeyMetadata!.KeyId!, Arn: KeyMetadata!.Arn! };
}

describe("symmetric encryption", () => {
  test("a ciphertext names its key: Decrypt needs no KeyId, another KeyId is IncorrectKeyException", async () => {
    const key = await symmetricKey();
    const other = await symmetricKey();
    const encrypted = await kms.send(
      new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from("hello") }),
    );
    expect(encrypted).toMatchObject({ KeyId: key.Arn, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" });
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe("hello");
    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, KeyId: other.KeyId })),
    ).rejects.toMatchObject({ name: "IncorrectKeyException" });
    const tampered = Buffer.from(encrypted.CiphertextBlob!);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    await expect(kms.send(new DecryptCommand({ CiphertextBlob: tampered }))).rejects.toMatchObject({
      name: "InvalidCiphertextException",
    });
    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from("garbage") })),
    ).rejects.toMatchObject({
      name: "InvalidCiphertextException",
    });
  });

  test("Plaintext over 4096 bytes is a ValidationException", async () => {
    const key = await symmetricKey();
    await expect(
      kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.alloc(4097) })),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });

  test("GenerateDataKey and WithoutPlaintext give data keys that Decrypt opens", async () => {
    const key = await symmetricKey();
    const context = { bucket: "b" };
    const withPlaintext = await kms.send(
      new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: "AES_256", EncryptionContext: context }),
    );
    expect(withPlaintext.Plaintext).toHaveLength(32);
    const opened = await kms.send(
      new DecryptCommand({ CiphertextBlob: withPlaintext.CiphertextBlob, EncryptionContext: context }),
    );
    expect(Buffer.from(opened.Plaintext!).equals(Buffer.from(withPlaintext.Plaintext!))).toBe(true);
    const without = await kms.send(
      new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, NumberOfBytes: 64 }),
    );
    expect((without as { Plaintext?: unknown }).Plaintext).toBeUndefined();
    const second = await kms.send(new DecryptCommand({ CiphertextBlob: without.CiphertextBlob }));
    expect(second.Plaintext).toHaveLength(64);
    await expect(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    await expect(
      kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: "AES_128", NumberOfBytes: 16 })),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });

  test("ReEncrypt moves a ciphertext to another key and context", async () => {
    const source = await symmetricKey();
    const destination = await symmetricKey();
    const encrypted = await kms.send(
      new EncryptCommand({
        KeyId: source.KeyId,
        Plaintext: Buffer.from("move me"),
        EncryptionContext: { a: "1" },
      }),
    );
    const moved = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: encrypted.CiphertextBlob,
        SourceEncryptionContext: { a: "1" },
        DestinationKeyId: destination.KeyId,
        DestinationEncryptionContext: { b: "2" },
      }),
    );
    expect(moved).toMatchObject({ SourceKeyId: source.Arn, KeyId: destination.Arn });
    const opened = await kms.send(
      new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { b: "2" } }),
    );
    expect(Buffer.from(opened.Plaintext!).toString()).toBe("move me");
    expect(opened.KeyId).toBe(destination.Arn);
  });

  test("GenerateRandom returns the asked number of bytes, 1..1024", async () => {
    expect((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 48 }))).Plaintext).toHaveLength(48);
    await expect(kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 }))).rejects.toMatchObject({
      name: "ValidationException",
    });
  });
});

describe("key states and usages", () => {
  test("a disabled key is DisabledException, a key pending deletion KMSInvalidStateException", async () => {
    const key = await symmetricKey();
    const sealed = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from("x") }));
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    await expect(
      kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from("x") })),
    ).rejects.toMatchObject({
      name: "DisabledException",
      message: `${key.Arn} is disabled.`,
    });
    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })),
    ).rejects.toMatchObject({
      name: "DisabledException",
    });
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })),
    ).rejects.toMatchObject({
      name: "KMSInvalidStateException",
      message: `${key.Arn} is pending deletion.`,
    });
  });

  test("the wrong key usage is InvalidKeyUsageException; symmetric keys have no public key", async () => {
    const hmac = await kms.send(
      new CreateKeyCommand({ KeySpec: "HMAC_384", KeyUsage: "GENERATE_VERIFY_MAC" }),
    );
    await expect(
      kms.send(new EncryptCommand({ KeyId: hmac.KeyMetadata!.KeyId, Plaintext: Buffer.from("x") })),
    ).rejects.toMatchObject({ name: "InvalidKeyUsageException" });
    const key = await symmetricKey();
    await expect(kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).rejects.toMatchObject({
      name: "UnsupportedOperationException",
    });
    await expect(
      kms.send(
        new EncryptCommand({
          KeyId: key.KeyId,
          Plaintext: Buffer.from("x"),
          EncryptionAlgorithm: "RSAES_OAEP_SHA_256",
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidKeyUsageException" });
  });
});

describe("RSA encryption keys", () => {
  test("data encrypted locally with GetPublicKey decrypts in the sandbox, and the reverse needs the algorithm", async () => {
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" }),
    );
    const KeyId = KeyMetadata!.KeyId!;
    expect(KeyMetadata?.EncryptionAlgorithms).toEqual(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]);
    const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId }));
    const publicKey = createPublicKey({ key: Buffer.from(PublicKey!), format: "der", type: "spki" });
    const local = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      Buffer.from("to the key"),
    );
    const opened = await kms.send(
      new DecryptCommand({ KeyId, CiphertextBlob: local, EncryptionAlgorithm: "RSAES_OAEP_SHA_256" }),
    );
    expect(Buffer.from(opened.Plaintext!).toString()).toBe("to the key");
    const remote = await kms.send(
      new EncryptCommand({ KeyId, Plaintext: Buffer.from("round"), EncryptionAlgorithm: "RSAES_OAEP_SHA_1" }),
    );
    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob: remote.CiphertextBlob })),
    ).rejects.toMatchObject({
      name: "InvalidCiphertextException",
    });
    const back = await kms.send(
      new DecryptCommand({
        KeyId,
        CiphertextBlob: remote.CiphertextBlob,
        EncryptionAlgorithm: "RSAES_OAEP_SHA_1",
      }),
    );
    expect(Buffer.from(back.Plaintext!).toString()).toBe("round");
    // RSAES-OAEP with SHA-256 under a 2048-bit key carries at most 256 - 2*32 - 2 = 190 bytes.
    await expect(
      kms.send(
        new EncryptCommand({
          KeyId,
          Plaintext: Buffer.alloc(191),
          EncryptionAlgorithm: "RSAES_OAEP_SHA_256",
        }),
      ),
    ).rejects.toMatchObject({ name: "ValidationException" });
    await kms.send(
      new EncryptCommand({ KeyId, Plaintext: Buffer.alloc(190), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" }),
    );
  });
});
