import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  TagResourceCommand,
} from "@aws-sdk/client-kms";
import { type SandboxHandle, startSandbox } from "../support/sandbox";
import { wrapForImport } from "./wrap";

let directory: string;
let stateFile: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "keyplane-sandbox-state-"));
  stateFile = join(directory, "state.json");
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

function kill(sandbox: SandboxHandle): Promise<void> {
  return new Promise((resolve) => {
    sandbox.process.once("exit", () => resolve());
    sandbox.process.kill("SIGKILL");
  });
}

test("a sandbox killed with SIGKILL restarts from --state with every acknowledged change", async () => {
  const first = await startSandbox({ stateFile });
  const kms = first.kms();
  const managed = (
    await kms.send(new CreateKeyCommand({ Description: "kept", Tags: [{ TagKey: "a", TagValue: "1" }] }))
  ).KeyMetadata!;
  await kms.send(new CreateAliasCommand({ AliasName: "alias/kept", TargetKeyId: managed.KeyId }));
  const sealed = await kms.send(
    new EncryptCommand({
      KeyId: "alias/kept",
      Plaintext: Buffer.from("survives"),
      EncryptionContext: { k: "v" },
    }),
  );
  const external = (await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata!;
  const params = await kms.send(
    new GetParametersForImportCommand({
      KeyId: external.KeyId,
      WrappingAlgorithm: "RSAES_OAEP_SHA_256",
      WrappingKeySpec: "RSA_2048",
    }),
  );
  await kms.send(
    new ImportKeyMaterialCommand({
      KeyId: external.KeyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapForImport(params.PublicKey!, "RSAES_OAEP_SHA_256", randomBytes(32)),
      ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
    }),
  );
  const byokSealed = await kms.send(
    new EncryptCommand({ KeyId: external.KeyId, Plaintext: Buffer.from("byok") }),
  );
  await first.advanceClock("10d");
  await kill(first);
  await first.stop();

  expect(statSync(stateFile).mode & 0o777).toBe(0o600);
  const second = await startSandbox({ stateFile });
  try {
    const again = second.kms();
    expect((await again.send(new DescribeKeyCommand({ KeyId: "alias/kept" }))).KeyMetadata).toMatchObject({
      KeyId: managed.KeyId,
      Description: "kept",
    });
    expect((await again.send(new ListResourceTagsCommand({ KeyId: managed.KeyId }))).Tags).toEqual([
      { TagKey: "a", TagValue: "1" },
    ]);
    const opened = await again.send(
      new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { k: "v" } }),
    );
    expect(Buffer.from(opened.Plaintext!).toString()).toBe("survives");
    expect((await again.send(new DescribeKeyCommand({ KeyId: external.KeyId }))).KeyMetadata?.KeyState).toBe(
      "Enabled",
    );
    const byok = await again.send(new DecryptCommand({ CiphertextBlob: byokSealed.CiphertextBlob }));
    expect(Buffer.from(byok.Plaintext!).toString()).toBe("byok");
    const clock = (await (await fetch(`${second.url}/_sandbox/clock`)).json()) as { now: string };
    expect(Math.round((Date.parse(clock.now) - Date.now()) / 86_400_000)).toBe(10);
  } finally {
    await second.stop();
  }
});

test("50 concurrent changes are all kept and the state file is never corrupt", async () => {
  const first = await startSandbox({ stateFile });
  const kms = first.kms();
  const target = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const snapshots: string[] = [];
  const watcher = setInterval(() => {
    try {
      snapshots.push(readFileSync(stateFile, "utf8"));
    } catch {
      // the first write may not have landed yet
    }
  }, 1);
  const created = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0
        ? kms.send(new CreateKeyCommand({ Description: `key ${i}` })).then((out) => out.KeyMetadata!.KeyId!)
        : kms
            .send(
              new TagResourceCommand({
                KeyId: target.KeyId,
                Tags: [{ TagKey: `t${i}`, TagValue: String(i) }],
              }),
            )
            .then(() => `tag ${i}`),
    ),
  );
  await Promise.all(
    Array.from({ length: 5 }, (_, i) =>
      kms.send(new CreateAliasCommand({ AliasName: `alias/concurrent/${i}`, TargetKeyId: target.KeyId })),
    ),
  );
  clearInterval(watcher);
  await kill(first);
  await first.stop();

  for (const snapshot of snapshots) expect(() => JSON.parse(snapshot)).not.toThrow();
  expect(readdirSync(directory)).toEqual(["state.json"]);
  const second = await startSandbox({ stateFile });
  try {
    const again = second.kms();
    const keys = (await again.send(new ListKeysCommand({ Limit: 1000 }))).Keys!.map((key) => key.KeyId);
    for (const id of created.filter((entry) => !entry.startsWith("tag "))) expect(keys).toContain(id);
    expect(keys).toHaveLength(26);
    const tags = (await again.send(new ListResourceTagsCommand({ KeyId: target.KeyId, Limit: 50 }))).Tags!;
    expect(tags).toHaveLength(25);
    expect((await again.send(new ListAliasesCommand({}))).Aliases).toHaveLength(5);
  } finally {
    await second.stop();
  }
});
