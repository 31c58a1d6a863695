/** The ceremony's steps, in order (issue 6): each is journaled, and a rerun skips the ones done. */
export const CEREMONY_STEPS = ["params", "wrap", "import", "verify", "escrow", "journal"] as const;
export type CeremonyStep = (typeof CEREMONY_STEPS)[number];

export const STEP_TITLES: Readonly<Record<CeremonyStep, string>> = {
  params: "fetch import parameters",
  wrap: "wrap the material",
  import: "import into KMS",
  verify: "verify KMS uses it",
  escrow: "write escrow shares",
  journal: "close the journal entry",
};

export type StepState = "running" | "done" | "failed" | "skipped";

/** How the ceremony reports progress: the CLI draws a task list, tests record the calls. */
export type StepListener = (step: CeremonyStep, state: StepState, detail?: string) => void;
