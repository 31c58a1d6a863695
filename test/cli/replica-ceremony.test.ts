import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  KMSClient,
  ReplicateKeyCommand,
} from "@aws-sdk/client-kms";
import { readMaterials } from "../../byok/expiry/scan";
import { resolveKey } from "../../byok/kms/resolve-key";
import { wrapForImport } from "../sandbox/wrap";
import { runCli } from "../support/cli";
import { DUMMY_CREDENTIALS, useSandbox } from "../support/sandbox";

/**
 * KMS answers ReplicateKey with the replica in KeyState Creating and finishes it a few seconds later; a
 * ceremony started on it in between waits instead of failing. The sandbox holds the replica in Creating
 * until its clock passes the creation, so the test moves the clock back while the CLI waits, and forward to
 * let it finish: no race with the machine's speed.
 */
jest.setTimeout(180_000);

const { sandbox, kms } = useSandbox({ wrappingKeyPool: 2 });
const dir = mkdtempSync(join(tmpdir(), "keyplane-replica-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function europe(): KMSClient {
  return new KMSClient({ endpoint: sandbox.url, region: "eu-west-1", credentials: DUMMY_CREDENTIALS });
}

async function sandboxNow(): Promise<number> {
  const answer = (await (await fetch(`${sandbox.url}/_sandbox/clock`)).json()) as { now: string };
  return Date.parse(answer.now);
}

async function describeCalls(): Promise<number> {
  const stats = (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as {
    requests: Record<string, number>;
  };
  return stats.requests.DescribeKey ?? 0;
}

/** A multi-Region EXTERNAL primary holding `material`, and its replica in eu-west-1 (answered Creating). */
async function replicatedExternalKey(material: Buffer, hmac = false): Promise<string> {
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({
      Origin: "EXTERNAL",
      MultiRegion: true,
      ...(hmac ? { KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" } : {}),
    }),
  );
  const KeyId = KeyMetadata!.KeyId!;
  const params = await kms.send(
    new GetParametersForImportCommand({
      KeyId,
      WrappingAlgorithm: "RSAES_OAEP_SHA_256",
      WrappingKeySpec: "RSA_2048",
    }),
  );
  await kms.send(
    new ImportKeyMaterialCommand({
      KeyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapForImport(params.PublicKey!, "RSAES_OAEP_SHA_256", material),
      ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
    }),
  );
  const replica = await kms.send(new ReplicateKeyCommand({ KeyId, ReplicaRegion: "eu-west-1" }));
  expect(replica.ReplicaKeyMetadata?.KeyState).toBe("Creating");
  return replica.ReplicaKeyMetadata!.Arn!;
}

test("byok ceremony into a replica that KMS is still creating waits for it, then imports and verifies", async () => {
  const material = randomBytes(32);
  const materialFile = join(dir, "material.bin");
  writeFileSync(materialFile, material, { mode: 0o600 });
  const replicaArn = await replicatedExternalKey(material);
  const started = await sandboxNow();
  await sandbox.setClock(new Date(started - 3_600_000).toISOString());
  const before = await describeCalls();
  let finished = false;
  const journal = join(dir, "ceremony.jsonl");
  const run = runCli(
    [
      "--region",
      "eu-west-1",
      "--output",
      "json",
      "--journal",
      journal,
      "--yes",
      "byok",
      "ceremony",
      "--key",
      replicaArn,
      "--material",
      `file:${materialFile}`,
      "--import-type",
      "existing",
      "--wrapping-algorithm",
      "RSAES_OAEP_SHA_256",
      "--wrapping-key-spec",
      "RSA_2048",
      "--no-expiry",
      "--escrow-dir",
      join(dir, "escrow"),
      "--escrow-shares",
      "3",
      "--escrow-threshold",
      "2",
    ],
    { env: sandbox.env() },
  ).finally(() => {
    finished = true;
  });
  // The CLI keeps asking DescribeKey while the replica is Creating (once a second) and does nothing else.
  while (!finished && (await describeCalls()) < before + 3) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(finished).toBe(false);
  const replica = europe();
  try {
    expect((await replica.send(new DescribeKeyCommand({ KeyId: replicaArn }))).KeyMetadata?.KeyState).toBe(
      "Creating",
    );
    await sandbox.setClock(new Date(started + 60_000).toISOString());
    const result = await run;
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ keyArn: replicaArn });
    const events = readFileSync(journal, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { event: string }).event);
    expect(events).toEqual(
      expect.arrayContaining(["ceremony.import", "ceremony.verify", "ceremony.complete"]),
    );
    const primary = await kms.send(new DescribeKeyCommand({ KeyId: replicaArn.split("/")[1] }));
    expect((await replica.send(new DescribeKeyCommand({ KeyId: replicaArn }))).KeyMetadata).toMatchObject({
      KeyState: "Enabled",
      CurrentKeyMaterialId: primary.KeyMetadata?.CurrentKeyMaterialId,
    });
  } finally {
    replica.destroy();
  }
});

test("a replica still Creating when the wait runs out is a one-line error naming it", async () => {
  const replicaArn = await replicatedExternalKey(randomBytes(32));
  const started = await sandboxNow();
  await sandbox.setClock(new Date(started - 3_600_000).toISOString());
  const replica = europe();
  try {
    await expect(
      resolveKey(replica, replicaArn, "--key", { timeoutMs: 2_000, pollMs: 500 }),
    ).rejects.toMatchObject({
      code: "AWS",
      message: `${replicaArn}: the replica key is still being created (KeyState Creating) after 2 s`,
      hint: "KMS usually finishes in seconds; check the key in its Region with DescribeKey, then rerun",
    });
    await sandbox.setClock(new Date(started + 60_000).toISOString());
    await expect(resolveKey(replica, replicaArn)).resolves.toMatchObject({ KeyState: "PendingImport" });
  } finally {
    replica.destroy();
  }
});

test("the expiry scan counts the material of a replica still being created as not imported", async () => {
  const replicaArn = await replicatedExternalKey(randomBytes(32), true);
  const started = await sandboxNow();
  await sandbox.setClock(new Date(started - 3_600_000).toISOString());
  const replica = europe();
  try {
    const metadata = (await replica.send(new DescribeKeyCommand({ KeyId: replicaArn }))).KeyMetadata!;
    expect(metadata).toMatchObject({ KeyState: "Creating", KeySpec: "HMAC_256" });
    expect(await readMaterials(replica, metadata)).toEqual([{ importState: "PENDING_IMPORT" }]);
  } finally {
    await sandbox.setClock(new Date(started + 60_000).toISOString());
    replica.destroy();
  }
});
