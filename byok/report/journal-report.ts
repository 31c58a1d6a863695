/**
 * A journal as an auditor reads it: the chain's verdict, each record with its time, caller and the controls
 * it evidences, the cycles with their check values, material ids, roles and attestations, and the last
 * hash in groups a person can read aloud. Built even when the chain is broken, so the report can say where.
 */

import { readFileSync } from "node:fs";
import { KeyplaneError } from "../errors";
import { type JournalValue, lineHash, verifyJournal } from "../journal/journal";
import { type ControlRef, controlsOf } from "./controls";

export type LineStatus = "intact" | "edited" | "out of chain" | "unreadable";

export interface ReportRecord {
  line: number;
  status: LineStatus;
  seq: number | null;
  time: string;
  event: string;
  outcome: string;
  caller: string;
  keyArn: string;
  cycleId: string;
  /** The record's other non-secret facts, in journal order. */
  facts: [string, string][];
  controls: ControlRef[];
}

export interface ComponentEntry {
  index: number;
  custodian: string;
  checkValue: string;
}

export interface Attestation {
  witness: string;
  steps: string;
  method: string;
  time: string;
}

export interface ReportCycle {
  cycleId: string;
  flow: string;
  keyArn: string;
  checkValue: string;
  keyMaterialId: string;
  validTo: string;
  state: "complete" | "abandoned" | "unfinished";
  operator: string;
  ticket: string;
  witnesses: string[];
  components: ComponentEntry[];
  attestations: Attestation[];
}

export interface JournalReport {
  file: string;
  verified: boolean;
  /** The verifier's sentence: "intact, N entries" or the first break it found. */
  verdict: string;
  entries: number;
  /** SHA-256 of the last line, or null when the chain does not verify. */
  lastHash: string | null;
  /** lastHash as 16 groups of 4 hex digits, for reading aloud and writing on paper. */
  lastHashGroups: string[];
  records: ReportRecord[];
  cycles: ReportCycle[];
}

const SHOWN_ELSEWHERE = new Set([
  "seq",
  "time",
  "prevHash",
  "entryHash",
  "event",
  "outcome",
  "caller",
  "keyArn",
  "cycleId",
]);

/** Reads and verifies the journal file, then builds its report (throws only when the file cannot be read). */
export function journalReport(file: string): JournalReport {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new KeyplaneError(
      "FILE",
      code === "ENOENT"
        ? `${file}: no such journal`
        : `${file}: cannot read the journal (${code ?? "error"})`,
      { cause: error },
    );
  }
  let verification: { verified: true; lastHash: string } | { verified: false; problem: string };
  try {
    verification = { verified: true, lastHash: verifyJournal(file).lastHash };
  } catch (error) {
    if (!(error instanceof KeyplaneError)) throw error;
    verification = { verified: false, problem: error.message };
  }
  return buildReport(file, text, verification);
}

/** Pure: the journal's text and the verifier's verdict -> the report. */
export function buildReport(
  file: string,
  text: string,
  verification: { verified: true; lastHash: string } | { verified: false; problem: string },
): JournalReport {
  const lines = text.split("\n").filter((line, i, all) => line !== "" || i < all.length - 1);
  const records = recordsOf(lines);
  const entries = lines.length;
  return {
    file,
    verified: verification.verified,
    verdict: verification.verified
      ? `intact: ${entries} entries, every line hash-chained to the one before`
      : verification.problem,
    entries,
    lastHash: verification.verified ? verification.lastHash : null,
    lastHashGroups: verification.verified ? groupHash(verification.lastHash) : [],
    records,
    cycles: cyclesOf(records),
  };
}

/** 64 hex digits as 16 groups of 4. */
export function groupHash(hash: string): string[] {
  return hash.match(/.{1,4}/g) ?? [];
}

function recordsOf(lines: readonly string[]): ReportRecord[] {
  let expectedPrev = "0".repeat(64);
  let previousEdited = false;
  return lines.map((line, i) => {
    let parsed: Record<string, JournalValue> | undefined;
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === "object" && !Array.isArray(value)) {
        parsed = value as Record<string, JournalValue>;
      }
    } catch {
      parsed = undefined;
    }
    // The line after an edited one cannot match the edit's hash: the break is the edit, not this line.
    const status = lineStatus(parsed, previousEdited ? undefined : expectedPrev, i + 1);
    previousEdited = status === "edited" || status === "unreadable";
    expectedPrev = lineHash(line);
    const fields = parsed ?? {};
    const text = (name: string) =>
      fields[name] === undefined || fields[name] === null ? "" : String(fields[name]);
    return {
      line: i + 1,
      status,
      seq: typeof fields.seq === "number" ? fields.seq : null,
      time: text("time"),
      event: text("event") || "(unreadable)",
      outcome: text("outcome"),
      caller: text("caller"),
      keyArn: text("keyArn"),
      cycleId: text("cycleId"),
      facts: Object.entries(fields)
        .filter(([name]) => !SHOWN_ELSEWHERE.has(name))
        .map(([name, value]): [string, string] => [name, value === null ? "null" : String(value)]),
      controls: parsed ? controlsOf(text("event"), fields) : [],
    };
  });
}

function lineStatus(
  entry: Record<string, JournalValue> | undefined,
  expectedPrev: string | undefined,
  number: number,
): LineStatus {
  if (!entry) return "unreadable";
  const { entryHash, ...body } = entry;
  if (entryHash !== lineHash(JSON.stringify(body))) return "edited";
  if ((expectedPrev !== undefined && entry.prevHash !== expectedPrev) || entry.seq !== number)
    return "out of chain";
  return "intact";
}

function cyclesOf(records: readonly ReportRecord[]): ReportCycle[] {
  const cycles = new Map<string, ReportCycle>();
  for (const record of records) {
    if (!record.cycleId) continue;
    const facts = new Map(record.facts);
    const step = record.event.slice(record.event.indexOf(".") + 1);
    let cycle = cycles.get(record.cycleId);
    if (!cycle) {
      cycle = {
        cycleId: record.cycleId,
        flow: record.event.split(".", 1)[0] ?? "",
        keyArn: record.keyArn,
        checkValue: "",
        keyMaterialId: "",
        validTo: "",
        state: "unfinished",
        operator: "",
        ticket: "",
        witnesses: [],
        components: [],
        attestations: [],
      };
      cycles.set(record.cycleId, cycle);
    }
    cycle.checkValue ||= facts.get("checkValue") ?? "";
    if (step === "begin") beginFacts(cycle, facts);
    if (step === "import" && record.outcome === "ok") {
      cycle.keyMaterialId = facts.get("keyMaterialId") ?? "";
      cycle.validTo = facts.get("validTo") ?? "";
    }
    if (step === "complete" && record.outcome === "ok") cycle.state = "complete";
    if (step === "abandoned") cycle.state = "abandoned";
    if (step === "attest") {
      cycle.attestations.push({
        witness: facts.get("witness") ?? "",
        steps: facts.get("steps") ?? "",
        method: facts.get("method") ?? "",
        time: record.time,
      });
    }
  }
  return [...cycles.values()];
}

function beginFacts(cycle: ReportCycle, facts: ReadonlyMap<string, string>): void {
  const list = (name: string) => (facts.get(name) ?? "").split(",").filter((item) => item !== "");
  cycle.operator = facts.get("operator") ?? "";
  cycle.ticket = facts.get("ticket") ?? "";
  cycle.witnesses = list("witnesses");
  const custodians = list("componentCustodians");
  cycle.components = list("componentCheckValues").map((checkValue, i) => ({
    index: i + 1,
    custodian: custodians[i] ?? "",
    checkValue,
  }));
}
