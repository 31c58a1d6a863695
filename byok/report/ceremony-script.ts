/**
 * The printable script of a ceremony, before it happens: the key's facts as KMS reports them, what must be
 * in the room, every step with the value to write down, and sign-off lines. Built from names and public
 * facts only; no material, component or passphrase is ever an input, so none can appear in it.
 */

import type { CeremonyRoles } from "./roles";

export interface ScriptInput {
  keyArn: string;
  aliases: readonly string[];
  classification: string;
  keySpec: string;
  keyState: string;
  wrappingAlgorithm: string;
  wrappingKeySpec: string;
  /** "180 days after import", an ISO time, or "never". */
  expiry: string;
  importType: string;
  materialSource: "generate" | "components" | "file" | "p12";
  /** How many components, when the material is combined from components. */
  components: number;
  escrow: { shares: number; threshold: number; dir: string };
  journal: string;
  roles: CeremonyRoles;
  /** The ceremony's command line (flags only, never secrets). */
  command: string;
}

export interface ScriptStep {
  title: string;
  detail: string;
  /** Values to write down at this step: labels of blank lines. */
  record: string[];
}

export interface CeremonyScript {
  title: string;
  purpose: string;
  facts: [string, string][];
  prerequisites: string[];
  steps: ScriptStep[];
  signOff: { role: string; name: string }[];
}

const blankName = (name: string | undefined) => name ?? "";

export function buildCeremonyScript(input: ScriptInput): CeremonyScript {
  const alias = input.aliases[0] ?? input.keyArn;
  const { roles } = input;
  const componentCount =
    input.materialSource === "components" ? Math.max(input.components, roles.custodians.length, 2) : 0;
  const holder = (i: number) => roles.custodians[i] ?? `custodian ${i + 1}`;
  return {
    title: `Key ceremony script: ${alias}`,
    purpose:
      `Import ${input.importType === "existing" ? "the same key material again (renewal)" : "new key material"} into the AWS KMS key ${alias}, ` +
      `with split knowledge and dual control, escrow it ${input.escrow.threshold} of ${input.escrow.shares} before the import, ` +
      "and leave a hash-chained journal an auditor can verify.",
    facts: [
      ["Key alias", input.aliases.join(", ") || "(none)"],
      ["Key ARN", input.keyArn],
      ["Classification", input.classification || "(untagged)"],
      ["Key spec", input.keySpec],
      ["Key state now", input.keyState],
      ["Wrapping", `${input.wrappingAlgorithm} with an ${input.wrappingKeySpec} wrapping key`],
      ["Material", materialText(input, componentCount)],
      ["Material expiry", input.expiry],
      ["Import type", input.importType],
      [
        "Escrow scheme",
        `Shamir ${input.escrow.threshold} of ${input.escrow.shares} shares in ${input.escrow.dir}, written before the import`,
      ],
      ["Journal", input.journal],
      ["Change ticket", roles.ticket ?? ""],
    ],
    prerequisites: [
      `Operator present${roles.operator ? `: ${roles.operator}` : ""}, with AWS credentials allowed to import into the key`,
      ...(componentCount > 0
        ? Array.from(
            { length: componentCount },
            (_, i) => `${holder(i)} present with the sealed envelope of component ${i + 1}`,
          )
        : roles.custodians.map((name) => `Custodian present: ${name}`)),
      ...(roles.witnesses.length > 0
        ? roles.witnesses.map((name) => `Witness present: ${name} (not an operator or custodian)`)
        : ["A witness present who is neither operator nor custodian"]),
      `Change ticket approved${roles.ticket ? `: ${roles.ticket}` : ""}`,
      `Escrow media for ${input.escrow.shares} shares, one per share holder`,
      "For the air-gapped path: an offline machine with keyplane, where keyplane byok wrap runs on files and only the wrapped material and import token travel",
      "This script printed, one copy per participant; pens",
    ],
    steps: [
      {
        title: "Open the ceremony",
        detail: "Check every participant's identity against the ticket; note who is present.",
        record: ["Start time (UTC)", "Present"],
      },
      {
        title: "Start keyplane",
        detail: `The operator runs: ${input.command}. Preflight checks the key, the journal and the escrow folder before anyone types a secret.`,
        record: ["Key state shown (expected PendingImport for a first import)"],
      },
      ...Array.from({ length: componentCount }, (_, i) => ({
        title: `${holder(i)} enters component ${i + 1}`,
        detail: `Typed hidden by ${holder(i)} alone; ${holder(i)} then types the check value from the paper record (CMAC, or for AES the legacy AES-ECB value), and keyplane refuses a mismatch before it is combined.`,
        record: [`Component ${i + 1} check value (CMAC / legacy)`, `Accepted by keyplane (yes/no)`],
      })),
      {
        title: "Material check value",
        detail:
          "keyplane shows the material's check value (KCV, or the public key's fingerprint); for combined components the key's recorded value is typed and compared.",
        record: ["Material check value"],
      },
      {
        title: `Escrow: ${input.escrow.shares} shares, any ${input.escrow.threshold} recover`,
        detail: "Written and fsynced before KMS sees the material; each share goes to its holder.",
        record: Array.from(
          { length: input.escrow.shares },
          (_, i) => `Share ${i + 1} holder (${roles.custodians[i] ?? "name"})`,
        ),
      },
      {
        title: "Import into KMS",
        detail: `Import parameters fetched (${input.wrappingAlgorithm}, ${input.wrappingKeySpec}), material wrapped and imported, expiry ${input.expiry}.`,
        record: ["Key material id", "Material expires (UTC)"],
      },
      {
        title: "Verify",
        detail: "keyplane uses the key with a KMS operation that only the right material passes.",
        record: ["Verified by"],
      },
      {
        title: "Close and anchor the journal",
        detail: `The operator runs: keyplane byok journal verify ${input.journal}; the last hash is read aloud and written here and in the ticket.`,
        record: ["Last hash (16 groups of 4 hex digits)"],
      },
      {
        title: "Witness attestation",
        detail:
          "Each witness confirms at the terminal that they watched every step; keyplane journals the attestation.",
        record:
          roles.witnesses.length > 0
            ? roles.witnesses.map((name) => `${name} attested (yes/no)`)
            : ["Witness attested (yes/no)"],
      },
      {
        title: "Report",
        detail: `The operator runs: keyplane byok journal report ${input.journal} --out report.pdf, and attaches it to the ticket.`,
        record: ["End time (UTC)"],
      },
    ],
    signOff: [
      { role: "Operator", name: blankName(roles.operator) },
      ...(componentCount > 0
        ? Array.from({ length: componentCount }, (_, i) => ({
            role: `Custodian, component ${i + 1}`,
            name: roles.custodians[i] ?? "",
          }))
        : roles.custodians.map((name) => ({ role: "Custodian", name }))),
      ...(roles.witnesses.length > 0
        ? roles.witnesses.map((name) => ({ role: "Witness", name }))
        : [{ role: "Witness", name: "" }]),
    ],
  };
}

function materialText(input: ScriptInput, componentCount: number): string {
  switch (input.materialSource) {
    case "components":
      return `combined (XOR) from ${componentCount} custodian components`;
    case "generate":
      return "generated by keyplane from the operating system's CSPRNG";
    case "file":
      return "read from a material file";
    case "p12":
      return "read from a PKCS#12 file";
  }
}
