import {
  type CombinedComponents,
  combineComponents,
  componentLengths,
  matchRecordedCheckValue,
  parseComponent,
  recordableCheckValues,
} from "../../byok/components";
import { usageError } from "../../byok/errors";
import { readInputFile } from "../../byok/files/read-bounded";
import type { CheckValue } from "../../byok/kcv";
import type { KeyMaterial } from "../../byok/material/key-material";
import { loadMaterial } from "../../byok/material/load";
import { KEY_SPEC_INFO, type KeySpec } from "../../byok/vocabulary/key-specs";
import type { Ask } from "./ask";

export type MaterialSource =
  | { kind: "generate" }
  | { kind: "components" }
  | { kind: "file"; path: string }
  | { kind: "p12"; path: string };

export function parseMaterialSource(text: string): MaterialSource {
  if (text === "generate" || text === "components") return { kind: text };
  const match = /^(file|p12):(.+)$/.exec(text);
  if (match?.[1] === "file" || match?.[1] === "p12") return { kind: match[1], path: match[2] ?? "" };
  throw usageError(`--material: expected generate, components, file:PATH or p12:PATH, got '${text}'`);
}

export interface AcquiredMaterial {
  /** The material the caller holds; undefined for `generate` (the flow makes it, or finishes an earlier cycle). */
  material: KeyMaterial | undefined;
  dispose: () => void;
  description: string;
  /** Each custodian's component check value, in order (components only): shown and journaled. */
  componentCheckValues: string[];
}

export async function acquireMaterial(
  ask: Ask,
  given: MaterialSource | undefined,
  keySpec: KeySpec,
  componentFiles: readonly string[],
  /** Custodian i holds component i: named in the prompts when known. */
  custodians: readonly string[] = [],
): Promise<AcquiredMaterial> {
  const source = given ?? (await askSource(ask, keySpec));
  if (source.kind === "generate") {
    return {
      material: undefined,
      dispose: () => {},
      description: describe(source),
      componentCheckValues: [],
    };
  }
  if (source.kind === "components") {
    const combined = await components(ask, keySpec, componentFiles, custodians);
    return {
      material: combined.material,
      dispose: () => combined.material.dispose(),
      description: describe(source),
      componentCheckValues: combined.components.map((component) => component.checkValue),
    };
  }
  const held = await load(ask, source, keySpec);
  return {
    material: held,
    dispose: () => held.dispose(),
    description: describe(source),
    componentCheckValues: [],
  };
}

async function askSource(ask: Ask, keySpec: KeySpec): Promise<MaterialSource> {
  const kind = await ask.select<MaterialSource["kind"]>("--material", "Where does the material come from?", [
    { name: "generate it here (CSPRNG)", value: "generate" },
    {
      name: "custodian components (XOR of hex parts)",
      value: "components",
      disabled: componentsAllowed(keySpec) ? false : "symmetric and HMAC keys only",
    },
    { name: "a file", value: "file" },
    { name: "a PKCS#12 bundle", value: "p12" },
  ]);
  if (kind === "file" || kind === "p12") return { kind, path: await ask.input("--material", "Path") };
  return { kind };
}

function describe(source: MaterialSource): string {
  if (source.kind === "file") return `from ${source.path}`;
  if (source.kind === "p12") return `from PKCS#12 ${source.path}`;
  return source.kind === "generate" ? "generated here" : "combined from custodian components";
}

function componentsAllowed(keySpec: KeySpec): boolean {
  return KEY_SPEC_INFO[keySpec].importLengths !== undefined;
}

async function load(
  ask: Ask,
  source: MaterialSource & { path: string },
  keySpec: KeySpec,
): Promise<KeyMaterial> {
  if (source.kind === "p12") {
    // Without a terminal the password comes from the environment; a missing one is reported by the loader
    // as a wrong or missing PKCS#12 password, naming the file.
    const password =
      process.env.KEYPLANE_P12_PASSWORD ??
      (ask.interactive ? await ask.secret("--material", `Password of ${source.path}`) : undefined);
    return loadMaterial(source.path, keySpec, password === undefined ? {} : { password });
  }
  return loadMaterial(source.path, keySpec);
}

/**
 * Custodian components: each typed hidden (or read from a file of hex digits), then confirmed by the
 * custodian typing the check value from their paper record (a y/N invites rubber-stamping); the XOR of all
 * is the material, confirmed the same way against the key's record. Components are bytes from the moment
 * they are parsed, zeroed once combined.
 */
async function components(
  ask: Ask,
  keySpec: KeySpec,
  files: readonly string[],
  custodians: readonly string[],
): Promise<CombinedComponents> {
  const { min, max } = componentLengths(keySpec);
  const parts: Buffer[] = [];
  try {
    if (files.length > 0) {
      if (files.length < 2) throw usageError("--component: give at least two component files");
      for (const file of files) {
        const text = readInputFile(file, { field: "--component", kind: "material" });
        try {
          parts.push(parseComponent(keySpec, text.toString("latin1"), file));
        } finally {
          text.fill(0);
        }
      }
      return combineComponents(keySpec, parts);
    }
    const count = Number(
      await ask.input("--component", "How many custodians hold a component?", {
        initial: custodians.length >= 2 ? String(custodians.length) : "2",
        validate: (value) => (/^[2-9]$/.test(value.trim()) ? true : "2 to 9"),
      }),
    );
    ask.tell(
      "Each custodian types the check value from their paper record; an empty answer sets the component aside.",
    );
    // Component 1 fixes the length; the later ones must match it, so their prompts say exactly how long.
    let length: number | undefined;
    for (let index = 1; index <= count; index += 1) {
      const custodian = custodians[index - 1]
        ? `Custodian ${index} (${custodians[index - 1]})`
        : `Custodian ${index}`;
      const digits =
        length !== undefined
          ? `${length * 2} hex digits`
          : min === max
            ? `${min * 2} hex digits`
            : `${min * 2} to ${max * 2} hex digits`;
      for (;;) {
        const hex = await ask.secret("--component", `${custodian}: component (${digits})`, (value) => {
          try {
            parseComponent(keySpec, value, `component ${index}`, length).fill(0);
            return true;
          } catch (error) {
            return error instanceof Error ? error.message.replace(/^component \d+: /, "") : digits;
          }
        });
        const bytes = parseComponent(keySpec, hex, `component ${index}`, length);
        const candidates = recordableCheckValues(keySpec, bytes);
        const recorded = await askRecorded(
          ask,
          `${custodian}: component ${index} check value (${methods(candidates)})`,
          candidates,
          `does not match component ${index}: compare the paper record, or leave empty to type the component again`,
        );
        if (recorded) {
          ask.tell(
            `Component ${index} matches its ${METHOD_NAMES[recorded.method]} check value (${listed(candidates)}).`,
          );
          parts.push(bytes);
          length ??= bytes.length;
          break;
        }
        bytes.fill(0);
        ask.tell(`Component ${index} set aside; type it again.`);
      }
    }
    const combined = combineComponents(keySpec, parts);
    const candidates = combined.material.withBytes((bytes) => recordableCheckValues(keySpec, bytes));
    const recorded = await askRecorded(
      ask,
      `Combined key check value (${methods(candidates)}; empty: no record yet)`,
      candidates,
      "does not match the combined key: compare the key's record; a wrong component gives a wrong key",
    );
    ask.tell(
      recorded
        ? `The combined key matches its ${METHOD_NAMES[recorded.method]} check value (${listed(candidates)}).`
        : `The combined key's check values are ${listed(candidates)}: write them on the key's record.`,
    );
    return combined;
  } finally {
    for (const part of parts) part.fill(0);
  }
}

const METHOD_NAMES: Record<CheckValue["method"], string> = {
  cmac: "CMAC",
  "legacy-ecb": "legacy AES-ECB",
  hmac: "HMAC",
  "public-key-sha256": "public-key SHA-256",
};

function methods(candidates: readonly CheckValue[]): string {
  return candidates.map((candidate) => METHOD_NAMES[candidate.method]).join(" or ");
}

function listed(candidates: readonly CheckValue[]): string {
  return candidates.map((candidate) => `${METHOD_NAMES[candidate.method]} ${candidate.value}`).join(", ");
}

/**
 * The custodian types the recorded value: a mismatch is refused at the prompt and asked again; empty
 * gives undefined (the caller decides what no record means).
 */
async function askRecorded(
  ask: Ask,
  message: string,
  candidates: readonly CheckValue[],
  mismatch: string,
): Promise<CheckValue | undefined> {
  const typed = await ask.input("--component", message, {
    validate: (value) =>
      value.trim() === "" || matchRecordedCheckValue(candidates, value) !== undefined ? true : mismatch,
  });
  return typed.trim() === "" ? undefined : matchRecordedCheckValue(candidates, typed);
}
