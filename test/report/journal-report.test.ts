import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendJournal, verifyJournal } from "../../byok/journal/journal";
import { groupHash, journalReport } from "../../byok/report/journal-report";
import { renderReportHtml } from "../../cli/render/report-html";

const dir = mkdtempSync(join(tmpdir(), "keyplane-journal-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keyArn = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function journal(name: string): string {
  const file = join(dir, `${name}.jsonl`);
  const common = {
    keyArn,
    cycleId: "c1",
    checkValue: "AB12CD",
    caller: "arn:aws:iam::111111111111:user/ops",
    outcome: "ok",
  };
  appendJournal(file, "ceremony.begin", {
    ...common,
    materialSource: "components",
    componentCheckValues: "111111,222222",
    componentCustodians: "Alice,Bob",
    custodians: "Alice,Bob",
    operator: "Dana <script>alert(1)</script>",
    witnesses: "Carol",
    ticket: "CHG-1",
  });
  appendJournal(file, "ceremony.escrow", { ...common, shares: 3, threshold: 2 });
  appendJournal(file, "ceremony.import", {
    ...common,
    keyMaterialId: "m1",
    validTo: "2027-01-01T00:00:00.000Z",
  });
  appendJournal(file, "ceremony.complete", { ...common, keyMaterialId: "m1" });
  return file;
}

test("an intact journal: verified, its last hash in 16 groups of 4, one cycle with roles and components", () => {
  const file = journal("intact");
  const report = journalReport(file);
  expect(report.verified).toBe(true);
  expect(report.lastHash).toBe(verifyJournal(file).lastHash);
  expect(report.lastHashGroups).toHaveLength(16);
  expect(report.lastHashGroups.join("")).toBe(report.lastHash);
  expect(report.cycles).toEqual([
    expect.objectContaining({
      state: "complete",
      keyMaterialId: "m1",
      operator: "Dana <script>alert(1)</script>",
      components: [
        { index: 1, custodian: "Alice", checkValue: "111111" },
        { index: 2, custodian: "Bob", checkValue: "222222" },
      ],
    }),
  ]);
  expect(report.records.map((record) => record.controls.map((control) => control.id))).toEqual([
    ["PCI DSS 3.6.1", "PCI DSS 3.7.6", "PCI DSS 3.7.8"],
    ["PCI DSS 3.7.3", "PCI DSS 3.7.6"],
    ["PCI DSS 3.7.2", "PCI DSS 3.7.4", "NIST SP 800-57 Pt 1 §5.3"],
    ["PCI DSS 3.6.1"],
  ]);
});

test("journal fields are escaped in the HTML: a name cannot inject markup", () => {
  const page = renderReportHtml(journalReport(journal("escaped")), new Date(0));
  expect(page).not.toContain("<script>");
  expect(page).toContain("Dana &lt;script&gt;alert(1)&lt;/script&gt;");
});

test("an edited line is the one marked, not the line after it; no last hash is offered", () => {
  const file = journal("edited");
  const lines = readFileSync(file, "utf8").split("\n");
  lines[1] = lines[1]!.replace('"shares":3', '"shares":2');
  writeFileSync(file, lines.join("\n"));
  const report = journalReport(file);
  expect(report.verified).toBe(false);
  expect(report.verdict).toContain("line 2 was edited");
  expect(report.lastHash).toBeNull();
  expect(report.records.map((record) => record.status)).toEqual(["intact", "edited", "intact", "intact"]);
});

test("a removed line marks the line that no longer follows; an unreadable line is named", () => {
  const file = journal("removed");
  const lines = readFileSync(file, "utf8").split("\n");
  writeFileSync(file, [lines[0], lines[2], "{not json", lines[3], ""].join("\n"));
  const report = journalReport(file);
  expect(report.verified).toBe(false);
  expect(report.records.map((record) => record.status)).toEqual([
    "intact",
    "out of chain",
    "unreadable",
    "intact",
  ]);
});

test("a missing journal is a FILE error naming it", () => {
  expect(() => journalReport(join(dir, "none.jsonl"))).toThrow("none.jsonl: no such journal");
});

test("groupHash splits 64 hex digits into 16 groups of 4", () => {
  expect(groupHash("0123456789abcdef".repeat(4))).toEqual(
    Array(4).fill(["0123", "4567", "89ab", "cdef"]).flat(),
  );
});
