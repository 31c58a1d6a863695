import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  appendJournal,
  GENESIS_HASH,
  importTokenDigest,
  readJournal,
  verifyJournal,
} from "../../byok/journal/journal";
import { generateMaterial } from "../../byok/material/generate";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "keyplane-journal-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ARN = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function journalOf(entries: number): { path: string; lines: string[] } {
  n += 1;
  const path = join(dir, `journal-${n}.jsonl`);
  for (let i = 0; i < entries; i += 1) {
    appendJournal(path, `step-${i + 1}`, {
      caller: "arn:aws:iam::111111111111:role/KeyCustodian",
      keyArn: ARN,
      outcome: "ok",
      attempt: i,
      validTo: null,
    });
  }
  return { path, lines: readFileSync(path, "utf8").split("\n").slice(0, -1) };
}

const write = (path: string, lines: string[]) =>
  writeFileSync(path, lines.map((line) => `${line}\n`).join(""));

describe("journal", () => {
  it("appends chained entries with seq, time, prevHash, event and fields; file 0600", () => {
    const { path, lines } = journalOf(3);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries[0]).toMatchObject({
      seq: 1,
      prevHash: GENESIS_HASH,
      event: "step-1",
      keyArn: ARN,
      outcome: "ok",
      validTo: null,
    });
    // The format, pinned with SHA-256 computed here rather than with the module's own lineHash: each line
    // carries the hash of the line before it, and ends with the hash of itself without that last field.
    expect(entries[1].prevHash).toBe(sha256(lines[0]!));
    expect(entries[2].prevHash).toBe(sha256(lines[1]!));
    for (const line of lines) {
      const sealed = /^(\{.*),"entryHash":"([0-9a-f]{64})"\}$/.exec(line);
      expect(sealed?.[2]).toBe(sha256(`${sealed?.[1]}}`));
    }
    expect(Object.keys(entries[0]).slice(0, 4)).toEqual(["seq", "time", "prevHash", "event"]);
    expect(verifyJournal(path)).toEqual({ entries: 3, lastHash: sha256(lines[2]!) });
    expect(readJournal(path).map((entry) => entry.event)).toEqual(["step-1", "step-2", "step-3"]);
  });

  it("an empty or missing journal verifies as empty", () => {
    expect(verifyJournal(join(dir, "none.jsonl"))).toEqual({ entries: 0, lastHash: GENESIS_HASH });
  });

  it("detects an edited line, naming it (also the last line)", () => {
    const { path, lines } = journalOf(4);
    write(
      path,
      lines.map((line, i) => (i === 1 ? line.replace('"outcome":"ok"', '"outcome":"failed"') : line)),
    );
    expect(() => verifyJournal(path)).toThrow(
      `${path}: line 2 was edited (its entryHash does not match its content)`,
    );
    write(
      path,
      lines.map((line, i) => (i === 3 ? line.replace('"attempt":3', '"attempt":4') : line)),
    );
    expect(() => verifyJournal(path)).toThrow(/line 4 was edited/);
  });

  it("detects a removed line, an inserted line and reordered lines", () => {
    const { path, lines } = journalOf(4);
    write(path, [lines[0]!, lines[2]!, lines[3]!]);
    expect(() => verifyJournal(path)).toThrow(
      `${path}: line 2 does not follow line 1 (hash chain broken: a line was removed, inserted or reordered)`,
    );
    write(path, [lines[1]!, lines[2]!, lines[3]!]);
    expect(() => verifyJournal(path)).toThrow(/line 1 does not follow line \(start\)/);
    write(path, [lines[0]!, lines[2]!, lines[1]!, lines[3]!]);
    expect(() => verifyJournal(path)).toThrow(/line 2 does not follow line 1/);
    const other = journalOf(2).lines;
    write(path, [lines[0]!, other[1]!, lines[1]!]);
    expect(() => verifyJournal(path)).toThrow(/line 2 does not follow line 1/);
  });

  it("records an import token as its SHA-256 only (FIPS 180-2 'abc' vector)", () => {
    const token = Buffer.from("abc");
    expect(importTokenDigest(token)).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const path = join(dir, "token.jsonl");
    appendJournal(path, "import", { importTokenSha256: importTokenDigest(token), outcome: "ok" });
    expect(readJournal(path)[0]).toMatchObject({ importTokenSha256: importTokenDigest(token) });
  });

  it("never appends to a broken chain", () => {
    const { path, lines } = journalOf(3);
    write(path, [lines[0]!, lines[2]!]);
    expect(() => appendJournal(path, "after-tamper", { outcome: "ok" })).toThrow(
      /line 2 does not follow line 1/,
    );
    expect(readFileSync(path, "utf8").split("\n")).toHaveLength(3);
  });

  it("detects a broken line and an interrupted write", () => {
    const { path, lines } = journalOf(2);
    write(path, [lines[0]!, "{not json"]);
    expect(() => verifyJournal(path)).toThrow(`${path}: line 2 is not a JSON entry`);
    writeFileSync(path, `${lines[0]}\n${lines[1]!.slice(0, 10)}`);
    expect(() => verifyJournal(path)).toThrow(/last line is incomplete/);
  });

  it("refuses material, buffers, objects and reserved field names at run time", () => {
    const path = join(dir, "refuse.jsonl");
    const material = generateMaterial("SYMMETRIC_DEFAULT");
    expect(() => appendJournal(path, "x", { material } as never)).toThrow(
      /field 'material' must be a string, number, boolean or null/,
    );
    expect(() => appendJournal(path, "x", { token: Buffer.from("t") } as never)).toThrow(/field 'token'/);
    expect(() => appendJournal(path, "x", { seq: 9 } as never)).toThrow(/field 'seq' is reserved/);
    material.dispose();
    expect(verifyJournal(path).entries).toBe(0);
  });
});
