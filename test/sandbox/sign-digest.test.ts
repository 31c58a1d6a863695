import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateKeyCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  type KeySpec,
  type MessageType,
  SignCommand,
  type SigningAlgorithmSpec,
  VerifyCommand,
} from "@aws-sdk/client-kms";
import { useSandbox } from "../support/sandbox";
import { describeWithTool, OPENSSL } from "../support/tools";
import { wrapForImport } from "./wrap";

/**
 * Sign and Verify with MessageType DIGEST, held against OpenSSL as the independent implementation: the key
 * pair is OpenSSL's (imported into the sandbox), OpenSSL verifies what the sandbox signs over the digest, and
 * the sandbox verifies what OpenSSL signs over it (PSS with a salt as long as the digest, as KMS uses).
 */
const { kms } = useSandbox({ wrappingKeyPool: 2 });

interface Case {
  keySpec: KeySpec;
  algorithm: SigningAlgorithmSpec;
  hash: "sha256" | "sha384" | "sha512";
}

const CASES: readonly Case[] = [
  { keySpec: "RSA_2048", algorithm: "RSASSA_PSS_SHA_256", hash: "sha256" },
  { keySpec: "RSA_2048", algorithm: "RSASSA_PSS_SHA_384", hash: "sha384" },
  { keySpec: "RSA_2048", algorithm: "RSASSA_PSS_SHA_512", hash: "sha512" },
  { keySpec: "RSA_2048", algorithm: "RSASSA_PKCS1_V1_5_SHA_256", hash: "sha256" },
  { keySpec: "RSA_2048", algorithm: "RSASSA_PKCS1_V1_5_SHA_384", hash: "sha384" },
  { keySpec: "RSA_2048", algorithm: "RSASSA_PKCS1_V1_5_SHA_512", hash: "sha512" },
  { keySpec: "ECC_NIST_P256", algorithm: "ECDSA_SHA_256", hash: "sha256" },
  { keySpec: "ECC_NIST_P384", algorithm: "ECDSA_SHA_384", hash: "sha384" },
  { keySpec: "ECC_NIST_P521", algorithm: "ECDSA_SHA_512", hash: "sha512" },
  { keySpec: "ECC_SECG_P256K1", algorithm: "ECDSA_SHA_256", hash: "sha256" },
];

/** `openssl genpkey` options for each key spec. */
const GENPKEY: Readonly<Record<string, string[]>> = {
  RSA_2048: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
  ECC_NIST_P256: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
  ECC_NIST_P384: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
  ECC_NIST_P521: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
  ECC_SECG_P256K1: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"],
};

const refusal = (name: string, message?: string) => ({
  name,
  $metadata: expect.objectContaining({ httpStatusCode: 400 }),
  ...(message === undefined ? {} : { message }),
});

describeWithTool(OPENSSL, "Sign and Verify over a digest, both ways with OpenSSL", () => {
  let folder: string;
  /** The imported key of each spec: its id and the OpenSSL private key file. */
  const keys = new Map<string, { keyId: string; privateKey: string; publicKey: string }>();

  function openssl(args: string[]): { status: number | null; output: string } {
    const run = spawnSync(OPENSSL.find(), args, { encoding: "utf8" });
    return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
  }

  /** pkeyutl's options for the algorithm: the digest it takes, and PSS with a digest-length salt. */
  function pkeyOptions({ algorithm, hash }: Case): string[] {
    const options = ["-pkeyopt", `digest:${hash}`];
    if (algorithm.startsWith("RSASSA_PSS"))
      options.push("-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest");
    if (algorithm.startsWith("RSASSA_PKCS1")) options.push("-pkeyopt", "rsa_padding_mode:pkcs1");
    return options;
  }

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "keyplane-sign-digest-"));
    for (const keySpec of new Set(CASES.map((entry) => entry.keySpec))) {
      const privateKey = join(folder, `${keySpec}.pem`);
      const material = join(folder, `${keySpec}.p8.der`);
      for (const args of [
        ["genpkey", ...(GENPKEY[keySpec] ?? []), "-out", privateKey],
        // KMS imports PKCS#8 DER; genpkey's DER output is the traditional form.
        ["pkcs8", "-topk8", "-nocrypt", "-in", privateKey, "-outform", "DER", "-out", material],
      ]) {
        const run = openssl(args);
        if (run.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${run.output}`);
      }
      const created = await kms.send(
        new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: "SIGN_VERIFY", Origin: "EXTERNAL" }),
      );
      const keyId = created.KeyMetadata!.KeyId!;
      const params = await kms.send(
        new GetParametersForImportCommand({
          KeyId: keyId,
          WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256",
          WrappingKeySpec: "RSA_3072",
        }),
      );
      await kms.send(
        new ImportKeyMaterialCommand({
          KeyId: keyId,
          ImportToken: params.ImportToken,
          EncryptedKeyMaterial: wrapForImport(
            params.PublicKey!,
            "RSA_AES_KEY_WRAP_SHA_256",
            readFileSync(material),
          ),
          ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
        }),
      );
      // OpenSSL verifies with the public key KMS hands out, not with its own private key.
      const publicKey = join(folder, `${keySpec}.pub.der`);
      writeFileSync(publicKey, (await kms.send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey!);
      keys.set(keySpec, { keyId, privateKey, publicKey });
    }
  }, 120_000);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const digestOf = (hash: Case["hash"], message: Buffer) => createHash(hash).update(message).digest();

  test.each(CASES.map((entry) => [entry.algorithm, entry.keySpec, entry] as const))(
    "%s (%s): OpenSSL verifies the sandbox's signature of the digest",
    async (_algorithm, _keySpec, entry) => {
      const key = keys.get(entry.keySpec)!;
      const message = Buffer.from(`pay 10 EUR with ${entry.algorithm}`);
      const digest = digestOf(entry.hash, message);
      const signed = await kms.send(
        new SignCommand({
          KeyId: key.keyId,
          Message: digest,
          MessageType: "DIGEST",
          SigningAlgorithm: entry.algorithm,
        }),
      );
      expect(signed.SigningAlgorithm).toBe(entry.algorithm);
      const digestFile = join(folder, `${entry.algorithm}-${entry.keySpec}.digest`);
      const signatureFile = join(folder, `${entry.algorithm}-${entry.keySpec}.sandbox.sig`);
      writeFileSync(digestFile, digest);
      writeFileSync(signatureFile, signed.Signature!);
      const verified = openssl([
        "pkeyutl",
        "-verify",
        "-pubin",
        "-keyform",
        "DER",
        "-inkey",
        key.publicKey,
        "-in",
        digestFile,
        "-sigfile",
        signatureFile,
        ...pkeyOptions(entry),
      ]);
      expect(verified).toEqual({ status: 0, output: "Signature Verified Successfully" });
      // The same signature is one of the message: Verify takes it as RAW too.
      await expect(
        kms.send(
          new VerifyCommand({
            KeyId: key.keyId,
            Message: message,
            Signature: signed.Signature,
            SigningAlgorithm: entry.algorithm,
          }),
        ),
      ).resolves.toMatchObject({ SignatureValid: true });
    },
  );

  test.each(CASES.map((entry) => [entry.algorithm, entry.keySpec, entry] as const))(
    "%s (%s): the sandbox verifies OpenSSL's signature of the digest, and refuses it altered",
    async (_algorithm, _keySpec, entry) => {
      const key = keys.get(entry.keySpec)!;
      const message = Buffer.from(`signed by OpenSSL with ${entry.algorithm}`);
      const digest = digestOf(entry.hash, message);
      const digestFile = join(folder, `${entry.algorithm}-${entry.keySpec}.openssl.digest`);
      const signatureFile = join(folder, `${entry.algorithm}-${entry.keySpec}.openssl.sig`);
      writeFileSync(digestFile, digest);
      const signed = openssl([
        "pkeyutl",
        "-sign",
        "-inkey",
        key.privateKey,
        "-in",
        digestFile,
        "-out",
        signatureFile,
        ...pkeyOptions(entry),
      ]);
      expect(signed).toEqual({ status: 0, output: "" });
      const signature = readFileSync(signatureFile);
      const verify = (Signature: Buffer, Message: Buffer, MessageType: MessageType) =>
        kms.send(
          new VerifyCommand({
            KeyId: key.keyId,
            Message,
            MessageType,
            Signature,
            SigningAlgorithm: entry.algorithm,
          }),
        );
      await expect(verify(signature, digest, "DIGEST")).resolves.toMatchObject({
        KeyId: expect.stringContaining(key.keyId),
        SignatureValid: true,
        SigningAlgorithm: entry.algorithm,
      });
      await expect(verify(signature, message, "RAW")).resolves.toMatchObject({ SignatureValid: true });
      const altered = Buffer.from(signature);
      altered[altered.length - 5] = (altered[altered.length - 5] ?? 0) ^ 0x01;
      // KMS says no more than the exception's name (the SDK then says "UnknownError").
      await expect(verify(altered, digest, "DIGEST")).rejects.toMatchObject(
        refusal("KMSInvalidSignatureException", "UnknownError"),
      );
      await expect(
        verify(signature, digestOf(entry.hash, Buffer.from("other")), "DIGEST"),
      ).rejects.toMatchObject(refusal("KMSInvalidSignatureException", "UnknownError"));
    },
  );

  test.each(CASES.map((entry) => [entry.algorithm, entry.keySpec, entry] as const))(
    "%s (%s): a digest of the wrong length, or an EXTERNAL_MU message, is a ValidationException",
    async (_algorithm, _keySpec, entry) => {
      const key = keys.get(entry.keySpec)!;
      const message = `Digest is invalid length for algorithm ${entry.algorithm}.`;
      const wrong = createHash(entry.hash === "sha256" ? "sha384" : "sha256")
        .update("m")
        .digest();
      await expect(
        kms.send(
          new SignCommand({
            KeyId: key.keyId,
            Message: wrong,
            MessageType: "DIGEST",
            SigningAlgorithm: entry.algorithm,
          }),
        ),
      ).rejects.toMatchObject(refusal("ValidationException", message));
      await expect(
        kms.send(
          new VerifyCommand({
            KeyId: key.keyId,
            Message: wrong,
            MessageType: "DIGEST",
            Signature: Buffer.alloc(64, 1),
            SigningAlgorithm: entry.algorithm,
          }),
        ),
      ).rejects.toMatchObject(refusal("ValidationException", message));
      // EXTERNAL_MU is ML-DSA's; KMS words the refusal as it does for DIGEST with an ML-DSA key.
      await expect(
        kms.send(
          new SignCommand({
            KeyId: key.keyId,
            Message: Buffer.alloc(64),
            MessageType: "EXTERNAL_MU",
            SigningAlgorithm: entry.algorithm,
          }),
        ),
      ).rejects.toMatchObject(
        refusal(
          "ValidationException",
          `Message type EXTERNAL_MU is incompatible with key spec ${entry.keySpec}.`,
        ),
      );
    },
  );
});
