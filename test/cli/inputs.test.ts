/**
 * Inputs of issue 10 (findings 9 and 10, reliability D6-D14, crypto-interop D5-D8): bounded file reads, the
 * journal's anchor, the plan's review warnings, synth that leaves nothing behind, wrapping inputs. The
 * malformed-input replay covers the refusals wholesale; these pin the behaviour that is not a refusal.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkInputFile, readInputFile } from "../../byok/files/read-bounded";
import { verifyJournalFile } from "../../byok/journal/journal";
import { assessRotation, type RotationKeyFacts } from "../../byok/rotation/model";
import { aesKeyWrapPad } from "../../byok/wrap/aes-key-wrap";
import { parseWrappingPublicKey } from "../../byok/wrap/public-key";
import { lintPlan } from "../../stacks/guardrails/lint-plan";
import { derivePlan } from "../../stacks/plan/derive";
import { parsePlan } from "../../stacks/plan/load";
import { planYaml, variant } from "../stacks/plans";
import { CLI, runCli } from "../support/cli";

let dir: string;
const at = (name: string) => join(dir, name);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "keyplane-inputs-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bounded input files", () => {
  it("a FIFO, a device and a folder are refused without blocking; a file over its cap without reading it", () => {
    execFileSync("mkfifo", [at("fifo")]);
    writeFileSync(at("big.bin"), Buffer.alloc(1024 * 1024 + 1));
    const input = { field: "--material", kind: "material" } as const;
    expect(() => readInputFile(at("fifo"), input)).toThrow(/--material .*fifo: is not a regular file/);
    expect(() => readInputFile("/dev/zero", input)).toThrow("--material /dev/zero: is not a regular file");
    expect(() => checkInputFile(dir, input)).toThrow(/is a folder, expected a file/);
    expect(() => readInputFile(at("big.bin"), input)).toThrow(/larger than 1 MiB/);
    expect(checkInputFile(at("absent"), input, true)).toBe(false);
  });

  it("reads a regular file whole, whatever its size under the cap", () => {
    const content = Buffer.alloc(200_000, 7);
    writeFileSync(at("medium.bin"), content);
    expect(readInputFile(at("medium.bin"), { kind: "material" }).equals(content)).toBe(true);
    writeFileSync(at("empty.bin"), "");
    expect(readInputFile(at("empty.bin"), { kind: "material" })).toHaveLength(0);
  });
});

describe("journal anchors", () => {
  it("each journaled run prints the last hash; verify --last-hash accepts later entries and catches a cut", async () => {
    const journal = at("anchored.jsonl");
    const first = await runCli([
      "--journal",
      journal,
      "byok",
      "generate",
      "--key-spec",
      "HMAC_256",
      "--out",
      at("m1"),
    ]);
    expect(first.code).toBe(0);
    const anchor = /^journal .*: 1 entries, last hash ([0-9a-f]{64}) /m.exec(first.stderr)?.[1] ?? "";
    expect(anchor).toMatch(/^[0-9a-f]{64}$/);
    const second = await runCli([
      "--journal",
      journal,
      "byok",
      "generate",
      "--key-spec",
      "HMAC_256",
      "--out",
      at("m2"),
    ]);
    const latest = /last hash ([0-9a-f]{64})/.exec(second.stderr)?.[1] ?? "";
    expect(latest).not.toBe(anchor);

    const verified = await runCli([
      "--output",
      "json",
      "byok",
      "journal",
      "verify",
      journal,
      "--last-hash",
      anchor,
    ]);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      entries: 2,
      lastHash: latest,
      anchor: "line 1 (1 entries after it)",
      chain: "intact",
    });
    // A failed run that journals nothing prints no anchor.
    const refused = await runCli([
      "--journal",
      journal,
      "byok",
      "generate",
      "--key-spec",
      "HMAC_256",
      "--out",
      at("m1"),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).not.toMatch(/last hash/);

    const lines = readFileSync(journal, "utf8").split("\n");
    writeFileSync(at("cut.jsonl"), `${lines[0]}\n`);
    expect(() => verifyJournalFile(at("cut.jsonl"), latest)).toThrow(/no line has the anchored hash/);
    expect(verifyJournalFile(at("cut.jsonl")).entries).toBe(1);
  });

  it("an empty journal proves nothing; a missing one is named", () => {
    writeFileSync(at("empty.jsonl"), "");
    expect(() => verifyJournalFile(at("empty.jsonl"))).toThrow(/the journal is empty/);
    expect(() => verifyJournalFile(at("missing.jsonl"))).toThrow(/missing.jsonl: no such journal/);
  });
});

describe("key plans", () => {
  const lint = (changes: Record<string, unknown>) =>
    lintPlan(derivePlan(parsePlan(planYaml(variant(changes)), "p.yaml"))).filter(
      (finding) => finding.rule === "KP-PLAN-REVIEW",
    );

  it("plan lint warns about users '*', a Region no partition lists, and a plan that derives no keys", () => {
    expect(lint({})).toEqual([]);
    expect(lint({ "applications.payments.users": ["*"] })).toEqual([
      expect.objectContaining({ severity: "warning", path: "applications.payments.users[0]" }),
    ]);
    expect(lint({ region: "xx-fake-9" })).toEqual([
      expect.objectContaining({
        path: "region",
        message: "'xx-fake-9' is not a Region this keyplane version knows",
      }),
    ]);
    expect(
      lint({ "applications.payments.data": {}, "applications.orders.data": {} }).map(
        (finding) => finding.message,
      ),
    ).toEqual(["the plan derives no keys"]);
  });

  it("a duplicate service or replica region is a plan error naming the YAML path", () => {
    expect(() =>
      parsePlan(planYaml(variant({ "applications.payments.data": { restricted: ["s3", "s3"] } })), "p.yaml"),
    ).toThrow("p.yaml: applications.payments.data.restricted[1]: service 's3' is listed twice");
    expect(() =>
      parsePlan(planYaml(variant({ replicaRegions: ["eu-west-1", "eu-west-1"] })), "p.yaml"),
    ).toThrow("p.yaml: replicaRegions[1]: 'eu-west-1' is listed twice");
  });

  it("an anchor bomb and an unresolved alias are plan errors naming the file", () => {
    const bomb = [
      "a: &a [x,x,x,x,x,x,x,x,x]",
      ...["b", "c", "d", "e"].map((name, i) => {
        const previous = ["a", "b", "c", "d"][i];
        return `${name}: &${name} [${Array(9).fill(`*${previous}`).join(",")}]`;
      }),
    ].join("\n");
    expect(() => parsePlan(bomb, "bomb.yaml")).toThrow(/^bomb.yaml: YAML aliases: Excessive alias count/);
    expect(() => parsePlan("version: 1\nname: *nope\n", "alias.yaml")).toThrow(
      /^alias.yaml: YAML aliases: Unresolved alias/,
    );
  });

  it("synth refuses a duplicate service at load and leaves no cdktf.out behind", () => {
    const work = mkdtempSync(join(dir, "synth-"));
    writeFileSync(
      join(work, "keyplan.yaml"),
      planYaml(variant({ "applications.payments.data": { restricted: ["s3", "s3"] } })),
    );
    const synth = spawnSync(process.execPath, [join(CLI, "..", "..", "stacks", "main.js")], {
      cwd: work,
      env: { ...process.env, KEYPLANE_PLAN: "keyplan.yaml" },
      encoding: "utf8",
    });
    expect(synth.status).toBe(1);
    expect(synth.stderr).toBe(
      "keyplane: keyplan.yaml: applications.payments.data.restricted[1]: service 's3' is listed twice\n",
    );
    expect(existsSync(join(work, "cdktf.out"))).toBe(false);
  }, 60_000);
});

describe("wrapping inputs", () => {
  it("AES key wrap with padding refuses to wrap nothing (RFC 5649 needs one octet)", () => {
    expect(() => aesKeyWrapPad(Buffer.alloc(32, 1), Buffer.alloc(0))).toThrow(
      "AES key wrap: nothing to wrap (0 bytes)",
    );
    expect(aesKeyWrapPad(Buffer.alloc(32, 1), Buffer.alloc(1, 2))).toHaveLength(16);
  });

  it("a wrapping public key reads the same as SPKI or PKCS#1, DER or PEM; a private key is refused", () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const fingerprints = [
      publicKey.export({ type: "spki", format: "der" }),
      publicKey.export({ type: "pkcs1", format: "der" }),
      publicKey.export({ type: "pkcs1", format: "pem" }),
      publicKey.export({ type: "spki", format: "der" }).toString("base64"),
    ].map((input) => parseWrappingPublicKey(input).fingerprint);
    expect(new Set(fingerprints).size).toBe(1);
    for (const input of [
      privateKey.export({ type: "pkcs8", format: "pem" }),
      privateKey.export({ type: "pkcs1", format: "pem" }),
      privateKey.export({ type: "pkcs8", format: "der" }),
      privateKey.export({ type: "pkcs1", format: "der" }),
    ]) {
      expect(() => parseWrappingPublicKey(input, { source: "k" })).toThrow(/^k: holds a private key/);
    }
  });
});

describe("rotation model", () => {
  const external = (overrides: Partial<RotationKeyFacts>): RotationKeyFacts => ({
    keyArn: "arn:aws:kms:us-east-1:111111111111:key/k",
    aliases: ["alias/k"],
    keySpec: "SYMMETRIC_DEFAULT",
    keyUsage: "ENCRYPT_DECRYPT",
    origin: "EXTERNAL",
    keyState: "PendingImport",
    creationDate: new Date("2026-01-01T00:00:00Z"),
    automaticRotationEnabled: false,
    rotationDays: 90,
    ...overrides,
  });
  const now = new Date("2026-06-01T00:00:00Z");

  it("an imported key without usable material needs attention, expired or never imported", () => {
    expect(assessRotation(external({}), { now })).toMatchObject({
      status: "attention",
      mode: "not-rotatable",
    });
    expect(assessRotation(external({ validTo: new Date("2026-05-01T00:00:00Z") }), { now })).toMatchObject({
      status: "attention",
      reason: expect.stringMatching(/^imported material expired 2026-05-01/),
    });
    expect(assessRotation(external({ origin: "AWS_KMS", keyState: "PendingDeletion" }), { now }).status).toBe(
      "ok",
    );
  });
});
