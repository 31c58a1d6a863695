/**
 * Which control a journal record evidences, so an auditor can read the report without the code. The
 * requirement texts are PCI DSS v4.0 (3.6.1, 3.7.1–3.7.8) and NIST SP 800-57 Part 1 Rev. 5 (§5.3,
 * cryptoperiods); a record is mapped by its step and by the facts it carries.
 */

export interface ControlRef {
  id: string;
  title: string;
}

export const CONTROLS = {
  pci361: { id: "PCI DSS 3.6.1", title: "key-management procedures defined and followed" },
  pci371: { id: "PCI DSS 3.7.1", title: "generation of strong cryptographic keys" },
  pci372: { id: "PCI DSS 3.7.2", title: "secure key distribution" },
  pci373: { id: "PCI DSS 3.7.3", title: "secure key storage" },
  pci374: { id: "PCI DSS 3.7.4", title: "key change at the end of the cryptoperiod" },
  pci375: { id: "PCI DSS 3.7.5", title: "retirement or replacement of keys" },
  pci376: { id: "PCI DSS 3.7.6", title: "split knowledge and dual control" },
  pci377: { id: "PCI DSS 3.7.7", title: "prevention of unauthorized key substitution" },
  pci378: { id: "PCI DSS 3.7.8", title: "custodians acknowledge their responsibilities" },
  nist53: { id: "NIST SP 800-57 Pt 1 §5.3", title: "cryptoperiods" },
} as const satisfies Record<string, ControlRef>;

type Fields = Readonly<Record<string, unknown>>;

/** The controls one record evidences (empty for records no control rests on). */
export function controlsOf(event: string, fields: Fields): ControlRef[] {
  const step = event.includes(".") ? event.slice(event.indexOf(".") + 1) : event;
  const flow = event.includes(".") ? event.slice(0, event.indexOf(".")) : "";
  if (fields.outcome === "failed") return [CONTROLS.pci361];
  switch (step) {
    case "begin": {
      const controls: ControlRef[] = [CONTROLS.pci361];
      if (fields.materialSource === "generate") controls.push(CONTROLS.pci371);
      if (typeof fields.componentCheckValues === "string" || typeof fields.custodians === "string") {
        controls.push(CONTROLS.pci376);
      }
      if (typeof fields.custodians === "string") controls.push(CONTROLS.pci378);
      if (flow === "rotation" || flow === "renew") controls.push(CONTROLS.pci374, CONTROLS.nist53);
      return controls;
    }
    case "escrow":
      return [CONTROLS.pci373, CONTROLS.pci376];
    case "import":
      return [CONTROLS.pci372, CONTROLS.pci374, CONTROLS.nist53];
    case "rotate":
      return [CONTROLS.pci374, CONTROLS.nist53];
    case "verify":
      return [CONTROLS.pci377];
    case "complete":
      return [CONTROLS.pci361];
    case "attest":
      return [CONTROLS.pci376, CONTROLS.pci378];
    case "abandoned":
    case "interrupted":
      return [CONTROLS.pci375];
    default:
      return [];
  }
}
