import { randomBytes } from "node:crypto";
import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  UpdateKeyDescriptionCommand,
} from "@aws-sdk/client-kms";
import { startSandbox } from "../support/sandbox";
import { wrapForImport } from "./wrap";

const publicKeyHex = (key: Uint8Array | undefined) => Buffer.from(key ?? []).toString("hex");

describe("--wrapping-key-pool", () => {
  test("by default every GetParametersForImport gets a fresh wrapping key, as in AWS", async () => {
    const sandbox = await startSandbox();
    const kms = sandbox.kms();
    try {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
      const ask = () =>
        kms.send(
          new GetParametersForImportCommand({
            KeyId: KeyMetadata!.KeyId!,
            WrappingAlgorithm: "RSAES_OAEP_SHA_256",
            WrappingKeySpec: "RSA_2048",
          }),
        );
      const keys = new Set<string>();
      for (let i = 0; i < 3; i += 1) keys.add(publicKeyHex((await ask()).PublicKey));
      expect(keys.size).toBe(3);
    } finally {
      kms.destroy();
      await sandbox.stop();
    }
  });

  test("with a pool of 2, wrapping keys repeat after two calls, each with its own working import token", async () => {
    const sandbox = await startSandbox({ extraArgs: ["--wrapping-key-pool", "2"] });
    const kms = sandbox.kms();
    try {
      const seen: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
        const keyId = KeyMetadata!.KeyId!;
        const parameters = await kms.send(
          new GetParametersForImportCommand({
            KeyId: keyId,
            WrappingAlgorithm: "RSAES_OAEP_SHA_256",
            WrappingKeySpec: "RSA_2048",
          }),
        );
        seen.push(publicKeyHex(parameters.PublicKey));
        const material = randomBytes(32);
        await kms.send(
          new ImportKeyMaterialCommand({
            KeyId: keyId,
            ImportToken: parameters.ImportToken,
            EncryptedKeyMaterial: wrapForImport(parameters.PublicKey!, "RSAES_OAEP_SHA_256", material),
            ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
          }),
        );
        const { CiphertextBlob } = await kms.send(
          new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("pooled") }),
        );
        const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob }));
        expect(Buffer.from(Plaintext!).toString()).toBe("pooled");
      }
      expect(new Set(seen).size).toBe(2);
      expect(seen[2]).toBe(seen[0]);
      expect(seen[3]).toBe(seen[1]);
    } finally {
      kms.destroy();
      await sandbox.stop();
    }
  });

  test.each([["-1"], ["two"]])("--wrapping-key-pool %s is a usage error (exit 2)", async (value) => {
    await expect(startSandbox({ extraArgs: ["--wrapping-key-pool", value] })).rejects.toThrow(
      /--wrapping-key-pool: expected a whole number/,
    );
  });
});

describe("GET /_sandbox/stats", () => {
  test("counts requests and quota throttles per operation", async () => {
    const sandbox = await startSandbox({ quotas: "aws" });
    const kms = sandbox.kms({ maxAttempts: 1 });
    try {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          kms.send(new UpdateKeyDescriptionCommand({ KeyId: KeyMetadata!.KeyId, Description: `d${i}` })),
        ),
      );
      const rejected = results.filter((result) => result.status === "rejected").length;
      const stats = (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as {
        requests: Record<string, number>;
        throttled: Record<string, number>;
      };
      expect(stats.requests).toEqual({ CreateKey: 1, UpdateKeyDescription: 12 });
      expect(rejected).toBeGreaterThan(0);
      expect(stats.throttled).toEqual({ UpdateKeyDescription: rejected });
    } finally {
      kms.destroy();
      await sandbox.stop();
    }
  });
});
