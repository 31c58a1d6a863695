import {
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
  verify,
} from "node:crypto";
import {
  CreateGrantCommand,
  CreateKeyCommand,
  type CreateKeyCommandInput,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DeriveSharedSecretCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GetKeyLastUsageCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  type ImportKeyMaterialCommandInput,
  KMSClient,
  ListKeyRotationsCommand,
  ListRetirableGrantsCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  TagResourceCommand,
  UpdatePrimaryRegionCommand,
  VerifyCommand,
  VerifyMacCommand,
} from "@aws-sdk/client-kms";
import { DUMMY_CREDENTIALS, type SandboxHandle, startSandbox } from "../support/sandbox";
import { wrapForImport } from "./wrap";

/**
 * What AWS KMS answers, held against the sandbox through the AWS SDK: exact error name, HTTP status and
 * message (where AWS's wording is known), and response shapes.
 */
let sandbox: SandboxHandle;
let kms: KMSClient;
let europe: KMSClient;

beforeAll(async () => {
  // Reused wrapping key pairs: RSA key generation would measure the machine, not the answers.
  sandbox = await startSandbox({ extraArgs: ["--wrapping-key-pool", "2"] });
  kms = sandbox.kms();
  europe = new KMSClient({ endpoint: sandbox.url, region: "eu-west-1", credentials: DUMMY_CREDENTIALS });
}, 30_000);
afterAll(async () => {
  europe.destroy();
  await sandbox.stop();
});

const DAY = 86_400_000;

async function createKey(input: CreateKeyCommandInput = {}, client = kms) {
  return (await client.send(new CreateKeyCommand(input))).KeyMetadata!;
}

async function importMaterial(
  KeyId: string,
  material: Buffer,
  extra: Partial<ImportKeyMaterialCommandInput> = {},
  client = kms,
) {
  // Private keys go under RSA_AES (AWS refuses RSA material under OAEP); raw bytes under OAEP.
  const algorithm = material.length > 128 ? "RSA_AES_KEY_WRAP_SHA_256" : "RSAES_OAEP_SHA_256";
  const params = await client.send(
    new GetParametersForImportCommand({ KeyId, WrappingAlgorithm: algorithm, WrappingKeySpec: "RSA_3072" }),
  );
  return client.send(
    new ImportKeyMaterialCommand({
      KeyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapForImport(params.PublicKey!, algorithm, material),
      ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
      ...extra,
    }),
  );
}

const refusal = (name: string, message?: string | ReturnType<typeof expect.stringContaining>) => ({
  name,
  $metadata: expect.objectContaining({ httpStatusCode: 400 }),
  ...(message === undefined ? {} : { message }),
});

describe("requests AWS refuses", () => {
  test.each([["HMAC_256"], ["ECC_NIST_P256"], ["RSA_2048"]] as const)(
    "CreateKey %s without KeyUsage is a ValidationException",
    async (KeySpec) => {
      await expect(kms.send(new CreateKeyCommand({ KeySpec }))).rejects.toMatchObject(
        refusal(
          "ValidationException",
          "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
        ),
      );
    },
  );

  test("key specs AWS knows pass the front end; the sandbox then says it cannot make them", async () => {
    await expect(
      kms.send(new CreateKeyCommand({ KeySpec: "ML_DSA_65", KeyUsage: "SIGN_VERIFY" })),
    ).rejects.toMatchObject(
      refusal("UnsupportedOperationException", "KeySpec ML_DSA_65 is not supported by the keyplane sandbox."),
    );
    await expect(kms.send(new CreateKeyCommand({ KeySpec: "ML_DSA_65" }))).rejects.toMatchObject(
      refusal("ValidationException", expect.stringContaining("You must specify a KeyUsage value")),
    );
  });

  test("the front end's shape checks come before the rules between members", async () => {
    await expect(
      kms.send(new CreateKeyCommand({ KeySpec: "HMAC_256", Description: "x".repeat(8193) })),
    ).rejects.toMatchObject(
      refusal(
        "ValidationException",
        expect.stringContaining(
          "at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192",
        ),
      ),
    );
    await expect(
      kms.send(
        new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC", Policy: "{not json" }),
      ),
    ).rejects.toMatchObject(refusal("MalformedPolicyDocumentException", "UnknownError"));
  });

  test("members are checked before the key is looked up", async () => {
    const unknown = "11111111-2222-3333-4444-555555555555";
    await expect(
      kms.send(
        new GetParametersForImportCommand({
          KeyId: unknown,
          WrappingAlgorithm: "NOPE" as "RSAES_OAEP_SHA_256",
          WrappingKeySpec: "RSA_2048",
        }),
      ),
    ).rejects.toMatchObject(
      refusal("ValidationException", expect.stringContaining("at 'wrappingAlgorithm'")),
    );
    await expect(
      kms.send(new ScheduleKeyDeletionCommand({ KeyId: unknown, PendingWindowInDays: 3 })),
    ).rejects.toMatchObject(
      refusal(
        "ValidationException",
        "1 validation error detected: Value '3' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7",
      ),
    );
    await expect(
      kms.send(new EncryptCommand({ KeyId: unknown, Plaintext: Buffer.alloc(4097) })),
    ).rejects.toMatchObject(refusal("ValidationException", expect.stringContaining("at 'plaintext'")));
    await expect(
      kms.send(new TagResourceCommand({ KeyId: unknown, Tags: [{ TagKey: "", TagValue: "v" }] })),
    ).rejects.toMatchObject(
      refusal("ValidationException", expect.stringContaining("at 'tags.1.member.tagKey'")),
    );
    const region = (member: string, value: string) =>
      refusal(
        "ValidationException",
        `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$`,
      );
    await expect(
      kms.send(new ReplicateKeyCommand({ KeyId: unknown, ReplicaRegion: "Mars" })),
    ).rejects.toMatchObject(region("replicaRegion", "Mars"));
    await expect(
      kms.send(new UpdatePrimaryRegionCommand({ KeyId: unknown, PrimaryRegion: "eu_west_1" })),
    ).rejects.toMatchObject(region("primaryRegion", "eu_west_1"));
  });

  test("a malformed key id is 'Invalid keyId'; a well-formed unknown one does not exist", async () => {
    await expect(kms.send(new DescribeKeyCommand({ KeyId: "not-a-key" }))).rejects.toMatchObject(
      refusal("NotFoundException", "Invalid keyId not-a-key"),
    );
    const unknown = "11111111-2222-3333-4444-555555555555";
    await expect(kms.send(new DescribeKeyCommand({ KeyId: unknown }))).rejects.toMatchObject(
      refusal("NotFoundException", `Key 'arn:aws:kms:us-east-1:111111111111:key/${unknown}' does not exist`),
    );
  });

  test("too-long tag keys and values are the front end's ValidationException; reserved keys are TagException", async () => {
    const { KeyId } = await createKey();
    await expect(
      kms.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: "k".repeat(129), TagValue: "v" }] })),
    ).rejects.toMatchObject(
      refusal(
        "ValidationException",
        `1 validation error detected: Value '${"k".repeat(129)}' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128`,
      ),
    );
    await expect(
      kms.send(
        new TagResourceCommand({
          KeyId,
          Tags: [
            { TagKey: "a", TagValue: "1" },
            { TagKey: "b", TagValue: "v".repeat(257) },
          ],
        }),
      ),
    ).rejects.toMatchObject(
      refusal("ValidationException", expect.stringContaining("at 'tags.2.member.tagValue'")),
    );
    await expect(
      kms.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: "aws:x", TagValue: "v" }] })),
    ).rejects.toMatchObject(refusal("TagException"));
  });
});

describe("the BYOK path", () => {
  test("a second NEW_KEY_MATERIAL while one is pending, and rotating with nothing pending, are KMSInvalidStateException", async () => {
    const { KeyId } = await createKey({ Origin: "EXTERNAL" });
    await importMaterial(KeyId!, randomBytes(32));
    await expect(kms.send(new RotateKeyOnDemandCommand({ KeyId }))).rejects.toMatchObject(
      refusal("KMSInvalidStateException", expect.stringContaining("no new key material to rotate to")),
    );
    await importMaterial(KeyId!, randomBytes(32), { ImportType: "NEW_KEY_MATERIAL" });
    await expect(
      importMaterial(KeyId!, randomBytes(32), { ImportType: "NEW_KEY_MATERIAL" }),
    ).rejects.toMatchObject(refusal("KMSInvalidStateException", expect.stringContaining("pending rotation")));
  });

  test("RotateKeyOnDemand looks at the key state first: a disabled key is DisabledException whatever its type", async () => {
    const hmac = await createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
    await kms.send(new DisableKeyCommand({ KeyId: hmac.KeyId }));
    await expect(kms.send(new RotateKeyOnDemandCommand({ KeyId: hmac.KeyId }))).rejects.toMatchObject(
      refusal("DisabledException", `${hmac.Arn} is disabled.`),
    );
    const external = await createKey({ Origin: "EXTERNAL" });
    await importMaterial(external.KeyId!, randomBytes(32));
    await kms.send(new DisableKeyCommand({ KeyId: external.KeyId }));
    await expect(kms.send(new RotateKeyOnDemandCommand({ KeyId: external.KeyId }))).rejects.toMatchObject(
      refusal("DisabledException"),
    );
  });

  test("at most 25 on-demand rotations per key", async () => {
    const { KeyId } = await createKey();
    for (let rotation = 0; rotation < 25; rotation += 1) {
      await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
    }
    await expect(kms.send(new RotateKeyOnDemandCommand({ KeyId }))).rejects.toMatchObject(
      refusal("LimitExceededException", expect.stringContaining("25 on-demand rotations")),
    );
  });

  test.each([
    ["HMAC_224", 28, 64],
    ["HMAC_256", 32, 64],
    ["HMAC_384", 48, 128],
    ["HMAC_512", 64, 128],
  ] as const)(
    "%s takes imported material of %i to %i bytes, and nothing outside",
    async (KeySpec, min, max) => {
      for (const length of [min, max]) {
        const { KeyId } = await createKey({ Origin: "EXTERNAL", KeySpec, KeyUsage: "GENERATE_VERIFY_MAC" });
        await expect(importMaterial(KeyId!, randomBytes(length))).resolves.toMatchObject({
          KeyId: expect.any(String),
        });
      }
      for (const length of [min - 1, max + 1]) {
        const { KeyId } = await createKey({ Origin: "EXTERNAL", KeySpec, KeyUsage: "GENERATE_VERIFY_MAC" });
        await expect(importMaterial(KeyId!, randomBytes(length))).rejects.toMatchObject(
          refusal(
            "IncorrectKeyMaterialException",
            `The key material is ${length} bytes long; key spec ${KeySpec} takes ${min} to ${max} bytes.`,
          ),
        );
      }
    },
  );

  test("material of another spec, and an RSA private key with one byte flipped (n != p*q), are IncorrectKeyMaterialException", async () => {
    const { KeyId } = await createKey({ Origin: "EXTERNAL", KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const der = pair.privateKey.export({ format: "der", type: "pkcs8" });
    const flipped = Buffer.from(der);
    flipped[40] = (flipped[40] ?? 0) ^ 0x01;
    // node parses it without a word: only a key pair check finds it.
    expect(() => createPrivateKey({ key: flipped, format: "der", type: "pkcs8" })).not.toThrow();
    await expect(importMaterial(KeyId!, flipped)).rejects.toMatchObject(
      refusal("IncorrectKeyMaterialException", "The key material is not a valid RSA_2048 key pair."),
    );
    const ecc = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    await expect(
      importMaterial(KeyId!, ecc.privateKey.export({ format: "der", type: "pkcs8" })),
    ).rejects.toMatchObject(
      refusal("IncorrectKeyMaterialException", "The key material does not match key spec RSA_2048."),
    );
    await expect(importMaterial(KeyId!, der)).resolves.toMatchObject({ KeyId: expect.any(String) });
  });
});

describe("expiry: every material that is not pending rotation counts", () => {
  test("DescribeKey's ValidTo is the earliest; an old NON_CURRENT material expiring takes the key to PendingImport", async () => {
    const { KeyId } = await createKey({ Origin: "EXTERNAL" });
    const now = Date.now();
    const firstBytes = randomBytes(32);
    const first = await importMaterial(KeyId!, firstBytes, {
      ExpirationModel: "KEY_MATERIAL_EXPIRES",
      ValidTo: new Date(now + 10 * DAY),
    });
    const second = await importMaterial(KeyId!, randomBytes(32), {
      ImportType: "NEW_KEY_MATERIAL",
      ExpirationModel: "KEY_MATERIAL_EXPIRES",
      ValidTo: new Date(now + 200 * DAY),
    });
    await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
    const described = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
    expect(described).toMatchObject({ KeyState: "Enabled", CurrentKeyMaterialId: second.KeyMaterialId });
    expect(Math.abs(described.ValidTo!.getTime() - (now + 10 * DAY))).toBeLessThan(1000);
    await sandbox.advanceClock("11d");
    const after = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
    expect(after.KeyState).toBe("PendingImport");
    expect(after.CurrentKeyMaterialId).toBe(second.KeyMaterialId);
    const rotations = await kms.send(
      new ListKeyRotationsCommand({ KeyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
    );
    expect(rotations.Rotations?.find((entry) => entry.KeyMaterialId === first.KeyMaterialId)).toMatchObject({
      KeyMaterialState: "NON_CURRENT",
      ImportState: "PENDING_IMPORT",
    });
    // The same old material again, and the key is usable again.
    await importMaterial(KeyId!, firstBytes, { KeyMaterialId: first.KeyMaterialId });
    expect((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.KeyState).toBe("Enabled");
  });

  test("material pending rotation that expires is gone, and the key stays Enabled", async () => {
    const { KeyId } = await createKey({ Origin: "EXTERNAL" });
    const now = Date.now() + 11 * DAY; // the clock moved in the test before
    await importMaterial(KeyId!, randomBytes(32));
    const pending = await importMaterial(KeyId!, randomBytes(32), {
      ImportType: "NEW_KEY_MATERIAL",
      ExpirationModel: "KEY_MATERIAL_EXPIRES",
      ValidTo: new Date(now + 5 * DAY),
    });
    await sandbox.advanceClock("6d");
    expect((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.KeyState).toBe("Enabled");
    const rotations = await kms.send(
      new ListKeyRotationsCommand({ KeyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
    );
    expect(rotations.Rotations?.map((entry) => entry.KeyMaterialId)).not.toContain(pending.KeyMaterialId);
  });

  test("DeleteImportedKeyMaterial keeps CurrentKeyMaterialId in DescribeKey", async () => {
    const { KeyId } = await createKey({ Origin: "EXTERNAL" });
    const imported = await importMaterial(KeyId!, randomBytes(32));
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId }));
    const described = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
    expect(described).toMatchObject({
      KeyState: "PendingImport",
      CurrentKeyMaterialId: imported.KeyMaterialId,
    });
    // Deleting again (or from a key that never had material) is KMSInvalidStateException.
    await expect(kms.send(new DeleteImportedKeyMaterialCommand({ KeyId }))).rejects.toMatchObject(
      refusal("KMSInvalidStateException", `${described.Arn} is pending import.`),
    );
    const fresh = await createKey({ Origin: "EXTERNAL" });
    await expect(
      kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: fresh.KeyId })),
    ).rejects.toMatchObject(refusal("KMSInvalidStateException", `${fresh.Arn} is pending import.`));
  });
});

describe("multi-Region keys", () => {
  test("ReplicateKey answers the replica Creating: empty description, no ReplicaTags and no CurrentKeyMaterialId", async () => {
    const primary = await createKey({ MultiRegion: true, Description: "the primary's" });
    const replica = await kms.send(
      new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: "eu-west-1" }),
    );
    expect(replica.ReplicaKeyMetadata).toMatchObject({
      KeyState: "Creating",
      Enabled: false,
      Description: "",
      MultiRegionConfiguration: { MultiRegionKeyType: "REPLICA" },
    });
    expect(replica.ReplicaKeyMetadata?.CurrentKeyMaterialId).toBeUndefined();
    expect(replica).not.toHaveProperty("ReplicaTags");
    const tagged = await createKey({ MultiRegion: true });
    const Tags = [{ TagKey: "team", TagValue: "payments" }];
    await expect(
      kms.send(new ReplicateKeyCommand({ KeyId: tagged.KeyId, ReplicaRegion: "eu-west-1", Tags })),
    ).resolves.toMatchObject({ ReplicaTags: Tags, ReplicaKeyMetadata: { KeyState: "Creating" } });
  });

  test("a replica being created can be managed, not used, until the sandbox clock passes its creation", async () => {
    const generated = await createKey({ MultiRegion: true });
    const external = await createKey({ MultiRegion: true, Origin: "EXTERNAL" });
    // Held in Creating whatever the machine's speed: the sandbox clock goes back an hour while it is created.
    const now = async () =>
      ((await (await fetch(`${sandbox.url}/_sandbox/clock`)).json()) as { now: string }).now;
    const started = Date.parse(await now());
    for (const key of [generated, external]) {
      await kms.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: "eu-west-1" }));
    }
    await sandbox.setClock(new Date(started - 3_600_000).toISOString());
    const arn = `arn:aws:kms:eu-west-1:111111111111:key/${generated.KeyId}`;
    const state = async (KeyId: string) => (await europe.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata;
    expect(await state(generated.KeyId!)).toMatchObject({ KeyState: "Creating", Enabled: false });
    await europe.send(
      new TagResourceCommand({ KeyId: generated.KeyId, Tags: [{ TagKey: "k", TagValue: "v" }] }),
    );
    const beingCreated = refusal("KMSInvalidStateException", `${arn} is being created.`);
    await expect(
      europe.send(new EncryptCommand({ KeyId: generated.KeyId, Plaintext: Buffer.from("early") })),
    ).rejects.toMatchObject(beingCreated);
    await expect(europe.send(new DisableKeyCommand({ KeyId: generated.KeyId }))).rejects.toMatchObject(
      beingCreated,
    );
    await expect(
      europe.send(
        new GetParametersForImportCommand({
          KeyId: external.KeyId,
          WrappingAlgorithm: "RSAES_OAEP_SHA_256",
          WrappingKeySpec: "RSA_2048",
        }),
      ),
    ).rejects.toMatchObject(
      refusal(
        "KMSInvalidStateException",
        `arn:aws:kms:eu-west-1:111111111111:key/${external.KeyId} is being created.`,
      ),
    );
    await sandbox.setClock(new Date(started + 60_000).toISOString());
    const created = await state(generated.KeyId!);
    expect(created).toMatchObject({ KeyState: "Enabled", Enabled: true });
    expect(created?.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(await state(external.KeyId!)).toMatchObject({ KeyState: "PendingImport", Enabled: false });
    const sealed = await europe.send(
      new EncryptCommand({ KeyId: generated.KeyId, Plaintext: Buffer.from("created") }),
    );
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe("created");
  });

  test("imported material: into every replica first, then rotate the primary", async () => {
    const primary = await createKey({ Origin: "EXTERNAL", MultiRegion: true });
    const KeyId = primary.KeyId!;
    const first = randomBytes(32);
    await importMaterial(KeyId, first);
    await kms.send(new ReplicateKeyCommand({ KeyId, ReplicaRegion: "eu-west-1" }));
    await sandbox.advanceClock("1m");
    await importMaterial(KeyId, first, {}, europe);
    const next = randomBytes(32);
    const imported = await importMaterial(KeyId, next, { ImportType: "NEW_KEY_MATERIAL" });
    await expect(
      importMaterial(KeyId, randomBytes(32), { ImportType: "NEW_KEY_MATERIAL" }, europe),
    ).rejects.toMatchObject(refusal("UnsupportedOperationException", expect.stringContaining("replica key")));
    const state = async (client: KMSClient) =>
      (
        await client.send(new ListKeyRotationsCommand({ KeyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }))
      ).Rotations?.find((entry) => entry.KeyMaterialId === imported.KeyMaterialId)?.KeyMaterialState;
    expect(await state(kms)).toBe("PENDING_MULTI_REGION_IMPORT_AND_ROTATION");
    await expect(kms.send(new RotateKeyOnDemandCommand({ KeyId }))).rejects.toMatchObject(
      refusal("KMSInvalidStateException", expect.stringContaining("not yet imported into every replica")),
    );
    await importMaterial(KeyId, next, { KeyMaterialId: imported.KeyMaterialId }, europe);
    expect(await state(kms)).toBe("PENDING_ROTATION");
    await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
    for (const client of [kms, europe]) {
      expect((await client.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.CurrentKeyMaterialId).toBe(
        imported.KeyMaterialId,
      );
    }
    const sealed = await europe.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("across") }));
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe("across");
  });

  test("UpdatePrimaryRegion swaps the primary and the replica", async () => {
    const primary = await createKey({ MultiRegion: true });
    await kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: "eu-west-1" }));
    await sandbox.advanceClock("1m");
    await expect(
      europe.send(new UpdatePrimaryRegionCommand({ KeyId: primary.KeyId, PrimaryRegion: "us-east-1" })),
    ).rejects.toMatchObject(refusal("UnsupportedOperationException"));
    await kms.send(new UpdatePrimaryRegionCommand({ KeyId: primary.KeyId, PrimaryRegion: "eu-west-1" }));
    const role = async (client: KMSClient) =>
      (await client.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata
        ?.MultiRegionConfiguration;
    expect(await role(kms)).toMatchObject({
      MultiRegionKeyType: "REPLICA",
      PrimaryKey: { Region: "eu-west-1" },
    });
    expect(await role(europe)).toMatchObject({ MultiRegionKeyType: "PRIMARY" });
    await expect(
      europe.send(new UpdatePrimaryRegionCommand({ KeyId: primary.KeyId, PrimaryRegion: "ap-south-1" })),
    ).rejects.toMatchObject(refusal("NotFoundException"));
  });
});

describe("cryptographic answers", () => {
  test("Sign and Verify with MessageType DIGEST (RSASSA_PKCS1_V1_5): the signature verifies over the message", async () => {
    const key = await createKey({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
    const message = Buffer.from("pay 10 EUR");
    const digest = createHash("sha256").update(message).digest();
    const signed = await kms.send(
      new SignCommand({
        KeyId: key.KeyId,
        Message: digest,
        MessageType: "DIGEST",
        SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256",
      }),
    );
    const publicKey = createPublicKey({
      key: Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).PublicKey!),
      format: "der",
      type: "spki",
    });
    expect(verify("sha256", message, publicKey, Buffer.from(signed.Signature!))).toBe(true);
    const raw = await kms.send(
      new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256" }),
    );
    await expect(
      kms.send(
        new VerifyCommand({
          KeyId: key.KeyId,
          Message: digest,
          MessageType: "DIGEST",
          Signature: raw.Signature,
          SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256",
        }),
      ),
    ).resolves.toMatchObject({ SignatureValid: true });
    await expect(
      kms.send(
        new SignCommand({
          KeyId: key.KeyId,
          Message: digest.subarray(1),
          MessageType: "DIGEST",
          SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256",
        }),
      ),
    ).rejects.toMatchObject(
      refusal("ValidationException", "Digest is invalid length for algorithm RSASSA_PKCS1_V1_5_SHA_256."),
    );
  });

  test("an invalid signature or MAC says no more than the exception's name", async () => {
    const signing = await createKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    await expect(
      kms.send(
        new VerifyCommand({
          KeyId: signing.KeyId,
          Message: Buffer.from("m"),
          Signature: randomBytes(70),
          SigningAlgorithm: "ECDSA_SHA_256",
        }),
      ),
    ).rejects.toMatchObject(refusal("KMSInvalidSignatureException", "UnknownError"));
    const mac = await createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
    await expect(
      kms.send(
        new VerifyMacCommand({
          KeyId: mac.KeyId,
          Message: Buffer.from("m"),
          Mac: randomBytes(32),
          MacAlgorithm: "HMAC_SHA_256",
        }),
      ),
    ).rejects.toMatchObject(refusal("KMSInvalidMacException", "UnknownError"));
    // On the wire: no message member at all (the SDK then says "UnknownError", as it does against AWS).
    const response = await fetch(sandbox.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "TrentService.VerifyMac",
        Authorization:
          "AWS4-HMAC-SHA256 Credential=AKIAKEYPLANETEST0000/20261129/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00",
      },
      body: JSON.stringify({
        KeyId: mac.KeyId,
        Message: Buffer.from("m").toString("base64"),
        Mac: randomBytes(32).toString("base64"),
        MacAlgorithm: "HMAC_SHA_256",
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ __type: "KMSInvalidMacException" });
  });

  test("GetKeyLastUsage: empty until a cryptographic operation succeeds, then that operation", async () => {
    const key = await createKey();
    const before = await kms.send(new GetKeyLastUsageCommand({ KeyId: key.KeyId }));
    expect(before.KeyLastUsage).toEqual({});
    expect(before.TrackingStartDate?.getTime()).toBe(key.CreationDate?.getTime());
    expect(before.KeyCreationDate?.getTime()).toBe(key.CreationDate?.getTime());
    const sealed = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from("x") }));
    const after = await kms.send(new GetKeyLastUsageCommand({ KeyId: key.KeyId }));
    expect(after.KeyLastUsage).toMatchObject({
      Operation: "Encrypt",
      KmsRequestId: sealed.$metadata.requestId,
    });
    await expect(kms.send(new GetKeyLastUsageCommand({ KeyId: "alias/nope" }))).rejects.toMatchObject(
      refusal("NotFoundException"),
    );
  });

  test("GenerateDataKeyPair and WithoutPlaintext: a working pair whose private key decrypts from the blob", async () => {
    const key = await createKey();
    const pair = await kms.send(
      new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: "ECC_NIST_P256" }),
    );
    expect(pair).toMatchObject({ KeyId: key.Arn, KeyPairSpec: "ECC_NIST_P256" });
    const privateKey = createPrivateKey({
      key: Buffer.from(pair.PrivateKeyPlaintext!),
      format: "der",
      type: "pkcs8",
    });
    expect(createPublicKey(privateKey).export({ format: "der", type: "spki" })).toEqual(
      Buffer.from(pair.PublicKey!),
    );
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }));
    expect(Buffer.from(opened.Plaintext!)).toEqual(Buffer.from(pair.PrivateKeyPlaintext!));
    const without = await kms.send(
      new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: key.KeyId, KeyPairSpec: "RSA_2048" }),
    );
    expect(without).not.toHaveProperty("PrivateKeyPlaintext");
    expect(without.PrivateKeyCiphertextBlob?.length).toBeGreaterThan(1000);
    const signing = await createKey({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
    await expect(
      kms.send(new GenerateDataKeyPairCommand({ KeyId: signing.KeyId, KeyPairSpec: "RSA_2048" })),
    ).rejects.toMatchObject(refusal("InvalidKeyUsageException"));
  });

  test("DeriveSharedSecret: ECDH with a KEY_AGREEMENT key equals the caller's own ECDH", async () => {
    const key = await createKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "KEY_AGREEMENT" });
    const mine = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const derived = await kms.send(
      new DeriveSharedSecretCommand({
        KeyId: key.KeyId,
        KeyAgreementAlgorithm: "ECDH",
        PublicKey: mine.publicKey.export({ format: "der", type: "spki" }),
      }),
    );
    const theirs = createPublicKey({
      key: Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).PublicKey!),
      format: "der",
      type: "spki",
    });
    expect(Buffer.from(derived.SharedSecret!)).toEqual(
      diffieHellman({ privateKey: mine.privateKey, publicKey: theirs }),
    );
    expect(derived).toMatchObject({ KeyAgreementAlgorithm: "ECDH", KeyOrigin: "AWS_KMS" });
    const other = generateKeyPairSync("ec", { namedCurve: "secp384r1" });
    await expect(
      kms.send(
        new DeriveSharedSecretCommand({
          KeyId: key.KeyId,
          KeyAgreementAlgorithm: "ECDH",
          PublicKey: other.publicKey.export({ format: "der", type: "spki" }),
        }),
      ),
    ).rejects.toMatchObject(refusal("ValidationException"));
  });

  test("ListRetirableGrants lists the grants a principal may retire", async () => {
    const key = await createKey();
    const retiring = "arn:aws:iam::111111111111:role/Retirer";
    const { GrantId } = await kms.send(
      new CreateGrantCommand({
        KeyId: key.KeyId,
        GranteePrincipal: "arn:aws:iam::111111111111:role/App",
        RetiringPrincipal: retiring,
        Operations: ["Decrypt"],
      }),
    );
    const listed = await kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: retiring }));
    expect(listed.Grants).toEqual([
      expect.objectContaining({
        GrantId,
        KeyId: key.Arn,
        RetiringPrincipal: retiring,
        Operations: ["Decrypt"],
      }),
    ]);
    expect(listed.Truncated).toBe(false);
  });
});

describe("the sandbox's own control", () => {
  test("a body over 2 MiB is read to its end and answered 413, not dropped mid-stream", async () => {
    const response = await fetch(sandbox.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "TrentService.ListKeys",
        Authorization:
          "AWS4-HMAC-SHA256 Credential=AKIAKEYPLANETEST0000/20261129/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00",
      },
      body: JSON.stringify({ Marker: "x".repeat(3 * 1024 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ __type: "RequestEntityTooLargeException" });
  });

  test("moving the clock past what a date holds is a 400, not an internal error", async () => {
    const response = await fetch(`${sandbox.url}/_sandbox/clock`, {
      method: "POST",
      body: JSON.stringify({ advance: "99999999d" }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: "ValidationException" });
  });
});
