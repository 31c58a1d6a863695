import { combineComponents, componentCheckValue } from "../../byok/components";
import { usageError } from "../../byok/errors";
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
  material: KeyMaterial;
  dispose: () => void;
  description: string;
}

export async function acquireMaterial(
  ask: Ask,
  given: MaterialSource | undefined,
  keySpec: KeySpec,
  componentFiles: readonly string[],
  bind: { generate(keySpec: KeySpec): KeyMaterial },
): Promise<AcquiredMaterial> {
  const source = given ?? (await askSource(ask, keySpec));
  const held = await load(ask, source, keySpec, componentFiles, bind);
  return { material: held, dispose: () => held.dispose(), description: describe(source) };
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
  return KEY_SPEC_INFO[keySpec].rawLength !== undefined;
}

async function load(
  ask: Ask,
  source: MaterialSource,
  keySpec: KeySpec,
  componentFiles: readonly string[],
  bind: { generate(keySpec: KeySpec): KeyMaterial },
): Promise<KeyMaterial> {
  if (source.kind === "generate") return bind.generate(keySpec);
  if (source.kind === "components") return components(ask, keySpec, componentFiles);
  if (source.kind === "p12") {
    const password =
      process.env.KEYPLANE_P12_PASSWORD ?? (await ask.secret("--material", `Password of ${source.path}`));
    return loadMaterial(source.path, keySpec, { password });
  }
  return loadMaterial(source.path, keySpec);
}

/**
 * Custodian components: each typed hidden (or read from a file), its check value shown for the custodian to
 * compare with the paper record; the XOR of all is the material, whose check value is shown before import.
 */
async function components(ask: Ask, keySpec: KeySpec, files: readonly string[]): Promise<KeyMaterial> {
  const length = KEY_SPEC_INFO[keySpec].rawLength;
  if (length === undefined)
    throw usageError(`--material components: only symmetric and HMAC keys, not ${keySpec}`);
  const hexes: string[] = [];
  if (files.length > 0) {
    if (files.length < 2) throw usageError("--component: give at least two component files");
    for (const file of files) {
      const material = loadMaterial(file, keySpec);
      try {
        hexes.push(material.withBytes((bytes) => bytes.toString("hex")));
      } finally {
        material.dispose();
      }
    }
    return combineComponents(keySpec, hexes).material;
  }
  const count = Number(
    await ask.input("--component", "How many custodians hold a component?", {
      initial: "2",
      validate: (value) => (/^[2-9]$/.test(value) ? true : "2 to 9"),
    }),
  );
  for (let index = 1; index <= count; index += 1) {
    for (;;) {
      const hex = await ask.secret(
        "--component",
        `Custodian ${index}: component (${length * 2} hex digits)`,
        (value) =>
          new RegExp(`^[0-9a-fA-F]{${length * 2}}$`).test(value.replace(/\s+/g, ""))
            ? true
            : `${length * 2} hex digits`,
      );
      const kcv = componentCheckValue(keySpec, hex, `component ${index}`);
      if (
        await ask.confirm(`Component ${index} check value is ${kcv}. Does it match the paper record?`, false)
      ) {
        hexes.push(hex);
        break;
      }
      ask.tell(`Component ${index} rejected; type it again.`);
    }
  }
  return combineComponents(keySpec, hexes).material;
}
