import { constants, generateKeyPairSync, privateDecrypt } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyJournal } from "../../byok/journal/journal";
import { bindOfflineModules } from "../../byok/offline-binding";

const ARN = "arn:aws:kms:us-east-1:111111111111:key/bind-1";
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "keyplane-binding-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("offline binding", () => {
  it("generate, wrap, escrow twice, recover the right material by check value, journal and read it back", async () => {
    const journalFile = join(dir, "journal.jsonl");
    const offline = bindOfflineModules({ journalFile });
    const first = offline.generate("SYMMETRIC_DEFAULT");
    const second = offline.generate("SYMMETRIC_DEFAULT");
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const wrapped = offline.wrap(
      first,
      publicKey.export({ type: "spki", format: "der" }),
      "RSAES_OAEP_SHA_256",
    );
    const unwrapped = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      wrapped,
    );
    expect(first.withBytes((bytes) => bytes.equals(unwrapped))).toBe(true);

    const escrowDir = join(dir, "escrow");
    await offline.escrow(first, { keyArn: ARN, dir: escrowDir, shares: 3, threshold: 2 });
    const sealed = ["custodian one", "custodian two", "custodian three"];
    await offline.escrow(second, {
      keyArn: ARN,
      dir: join(escrowDir, "sealed"),
      shares: 3,
      threshold: 2,
      passphrases: sealed,
    });
    const recovered = await offline.recover({
      keyArn: ARN,
      dir: escrowDir,
      expectedCheckValue: first.checkValue,
    });
    expect(recovered.checkValue).toBe(first.checkValue);
    const fromSealed = await offline.recover({
      keyArn: ARN,
      dir: join(escrowDir, "sealed"),
      passphrase: async ({ index }) => sealed[index - 1],
    });
    expect(fromSealed.checkValue).toBe(second.checkValue);
    await expect(offline.recover({ keyArn: `${ARN}-other`, dir: escrowDir })).rejects.toThrow(
      /no escrow shares of/,
    );

    await offline.journal({ event: "wrap", outcome: "ok", keyArn: ARN, checkValue: first.checkValue });
    await offline.journal({ event: "escrow", outcome: "ok", keyArn: ARN, shares: 3 });
    expect((await offline.journalRecords()).map((record) => [record.event, record.outcome])).toEqual([
      ["wrap", "ok"],
      ["escrow", "ok"],
    ]);
    expect(verifyJournal(journalFile).entries).toBe(2);
    for (const material of [first, second, recovered, fromSealed]) material.dispose();
  });

  it("without a journal file, journal() keeps nothing", async () => {
    const offline = bindOfflineModules();
    await offline.journal({ event: "x", outcome: "ok", keyArn: ARN });
    expect(await offline.journalRecords()).toEqual([]);
  });
});
