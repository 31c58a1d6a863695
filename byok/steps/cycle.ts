import type { JournalRecord } from "../offline-binding";
import { FLOWS, type FlowName } from "./flow";

/**
 * A material cycle of one key as the journal tells it: begun (`<flow>.begin`, written before anything else),
 * then escrowed, imported, rotated, verified, and closed (`<flow>.complete`) — or abandoned. Every record of
 * a cycle carries its `cycleId`.
 */
export interface Cycle {
  flow: FlowName;
  cycleId: string;
  checkValue: string;
  importType: string;
  escrowDir: string | null;
  /** KMS's key material ids when the cycle began: any other id found later is the cycle's import. */
  materialsBefore: string[];
  escrowed: boolean;
  keyMaterialId: string | null;
  imported: boolean;
  rotated: boolean;
  verified: boolean;
}

const flowOf = (event: string): FlowName | undefined => {
  const flow = event.split(".", 1)[0];
  return (FLOWS as readonly string[]).includes(flow ?? "") ? (flow as FlowName) : undefined;
};
const stepOf = (event: string) => event.slice(event.indexOf(".") + 1);

/** The key's newest cycle if it was begun and neither completed nor abandoned. */
export function unfinishedCycle(records: readonly JournalRecord[], keyArn: string): Cycle | undefined {
  const mine = records.filter((record) => record.keyArn === keyArn && record.outcome === "ok");
  const begin = [...mine]
    .reverse()
    .find((record) => stepOf(record.event) === "begin" && flowOf(record.event));
  if (!begin || typeof begin.cycleId !== "string") return undefined;
  const cycle = mine.filter((record) => record.cycleId === begin.cycleId);
  const has = (step: string) => cycle.some((record) => stepOf(record.event) === step);
  if (has("complete") || has("abandoned")) return undefined;
  const imported = cycle.find((record) => stepOf(record.event) === "import");
  return {
    flow: flowOf(begin.event) ?? "ceremony",
    cycleId: begin.cycleId,
    checkValue: String(begin.checkValue ?? ""),
    importType: String(begin.importType ?? "new"),
    escrowDir: typeof begin.escrowDir === "string" ? begin.escrowDir : null,
    materialsBefore: String(begin.materialsBefore ?? "")
      .split(",")
      .filter((id) => id !== ""),
    escrowed: has("escrow"),
    keyMaterialId: typeof imported?.keyMaterialId === "string" ? imported.keyMaterialId : null,
    imported: imported !== undefined,
    rotated: has("rotate"),
    verified: has("verify"),
  };
}
