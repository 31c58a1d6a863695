import type { MaterialExpiry } from "../import/expiry-option";
import type { ImportKind } from "../import/import-material";
import type { JournalValue } from "../journal/journal";
import type { KeyMaterial } from "../material/key-material";
import type { EscrowRequest, JournalRecord, PassphraseSource, RecoverRequest } from "../offline-binding";
import type { WrappingAlgorithm, WrappingKeySpec } from "../vocabulary/wrapping";

/** The material flows; each journals its records as `<flow>.<step>`. */
export const FLOWS = ["ceremony", "rotation", "renew"] as const;
export type FlowName = (typeof FLOWS)[number];

/**
 * Every material flow is this list, in this order; a flow skips the steps it has no use for. All checks that
 * can fail run in `preflight`; the material is escrowed and journaled before KMS sees it; `rotate` comes
 * before `verify` so that a symmetric round trip exercises the new material.
 */
export const FLOW_STEPS = [
  "preflight",
  "escrow",
  "params",
  "wrap",
  "import",
  "rotate",
  "verify",
  "journal",
] as const;
export type FlowStep = (typeof FLOW_STEPS)[number];

export const FLOW_STEP_TITLES: Readonly<Record<FlowStep, string>> = {
  preflight: "check everything that can fail",
  escrow: "write escrow shares (before import)",
  params: "fetch import parameters",
  wrap: "wrap the material",
  import: "import into KMS",
  rotate: "rotate to the new material",
  verify: "verify KMS uses the material",
  journal: "close the journal entry",
};

export type StepState = "running" | "done" | "failed" | "skipped";

/** How a flow reports progress: the CLI draws a task list and knows where an interrupt landed. */
export type StepListener = (step: FlowStep, state: StepState, detail?: string) => void;

/** Where the material comes from. */
export type MaterialInput =
  /** Material the caller holds (a file, a PKCS#12, custodian components); the caller disposes it. */
  | { kind: "held"; material: KeyMaterial }
  /** Fresh material from the CSPRNG, made only when no unfinished cycle of the key has material escrowed. */
  | { kind: "generate" }
  /** The key's escrowed material (renewal). */
  | { kind: "escrow"; from: Omit<RecoverRequest, "keyArn" | "passphrase"> };

export interface MaterialFlowRequest {
  flow: FlowName;
  /** Key id, key ARN, alias name or alias ARN. */
  key: string;
  material: MaterialInput;
  wrappingAlgorithm: WrappingAlgorithm;
  wrappingKeySpec: WrappingKeySpec;
  expiry: MaterialExpiry;
  importType: ImportKind;
  /** RotateKeyOnDemand after the import (rotation of imported symmetric keys). */
  rotate: boolean;
  /** Escrow before import; absent when the material comes from escrow. */
  escrow?: EscrowRequest;
  description?: string;
  /** Extra non-secret facts for the cycle's first record (component check values, roles, ticket). */
  beginFields?: Readonly<Record<string, JournalValue>>;
  /** Passphrases of sealed shares when material is recovered from escrow. */
  passphrase?: PassphraseSource;
  /** The journal's records, when the caller already read them (a batch reads once). */
  records?: readonly JournalRecord[];
}

export interface MaterialFlowResult {
  keyArn: string;
  checkValue: string;
  keyMaterialId: string | null;
  validTo: string | null;
  verified: string;
  escrowFiles: string[];
  /** Steps a rerun found done by an earlier, interrupted run (recorded now). */
  resumed: FlowStep[];
  /** The cycle's id (also the escrow split's id), in every journal record of the cycle. */
  cycleId: string;
}
