import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { KeyplaneError } from "../errors";
import { readInputFile } from "../files/read-bounded";
import { KEY_SPECS, type KeySpec } from "../vocabulary/key-specs";
import {
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_SPECS,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from "../vocabulary/wrapping";
import type { ImportParameters } from "./parameters";

/** File names of `byok params --out-dir` (DESIGN.md): AWS's own names for the first two. */
export const PARAMS_FILES = {
  publicKey: "WrappingPublicKey.der",
  importToken: "ImportToken.bin",
  description: "params.json",
} as const;

/** params.json: what the offline machine and the auditor need to know, no secrets. */
export interface ParamsJson {
  keyArn: string;
  keySpec: KeySpec;
  wrappingAlgorithm: WrappingAlgorithm;
  wrappingKeySpec: WrappingKeySpec;
  parametersValidTo: string;
  publicKeySha256: string;
}

export function paramsJson(parameters: ImportParameters): ParamsJson {
  return {
    keyArn: parameters.keyArn,
    keySpec: parameters.keySpec,
    wrappingAlgorithm: parameters.wrappingAlgorithm,
    wrappingKeySpec: parameters.wrappingKeySpec,
    parametersValidTo: parameters.parametersValidTo.toISOString(),
    publicKeySha256: parameters.publicKeySha256,
  };
}

/**
 * Writes the three files all or nothing: each goes to a temporary name first and is renamed once all are
 * written. The token is 0600: with the public key it lets anyone import material into the key.
 */
export function writeParamsFiles(dir: string, parameters: ImportParameters): Record<string, string> {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new KeyplaneError("FILE", `--out-dir ${dir}: cannot create the folder`, { cause: error });
  }
  const files: [string, Buffer | string, number][] = [
    [PARAMS_FILES.publicKey, parameters.publicKey, 0o644],
    [PARAMS_FILES.importToken, parameters.importToken, 0o600],
    [PARAMS_FILES.description, `${JSON.stringify(paramsJson(parameters), null, 2)}\n`, 0o644],
  ];
  const written: string[] = [];
  try {
    for (const [name, content, mode] of files) {
      const temporary = join(dir, `.${name}.partial`);
      writeFileSync(temporary, content, { mode, flag: "w" });
      written.push(temporary);
    }
  } catch (error) {
    for (const temporary of written) rmSync(temporary, { force: true });
    throw new KeyplaneError("FILE", `--out-dir ${dir}: cannot write the import parameters`, { cause: error });
  }
  const paths: Record<string, string> = {};
  for (const [name] of files) {
    renameSync(join(dir, `.${name}.partial`), join(dir, name));
    paths[name] = join(dir, name);
  }
  return paths;
}

/**
 * Reads a `params.json` carried to the offline machine, so `byok wrap` and `byok escrow split` take the key,
 * its spec and the wrapping from it instead of having them typed again. Every field is checked, naming the
 * file and the field.
 */
export function readParamsJson(path: string, field = "--params"): ParamsJson {
  const text = readInputFile(path, { field, kind: "importFile" }).toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeyplaneError("FILE", `${field} ${path}: not JSON (expected the params.json of byok params)`);
  }
  const record = (parsed ?? {}) as Record<string, unknown>;
  const read = <T extends string>(name: keyof ParamsJson, allowed: readonly T[] | RegExp): T => {
    const value = record[name];
    const ok =
      typeof value === "string" &&
      (Array.isArray(allowed) ? allowed.includes(value as T) : (allowed as RegExp).test(value));
    if (!ok) {
      const expected = Array.isArray(allowed)
        ? `one of ${allowed.join(", ")}`
        : "the value byok params wrote";
      throw new KeyplaneError(
        "FILE",
        `${field} ${path}: ${name}: expected ${expected}, got ${JSON.stringify(value)}`,
      );
    }
    return value as T;
  };
  return {
    keyArn: read("keyArn", /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/\S+$/),
    keySpec: read("keySpec", KEY_SPECS),
    wrappingAlgorithm: read("wrappingAlgorithm", WRAPPING_ALGORITHMS),
    wrappingKeySpec: read("wrappingKeySpec", WRAPPING_KEY_SPECS),
    parametersValidTo: read("parametersValidTo", /^\d{4}-\d{2}-\d{2}T/),
    publicKeySha256: read("publicKeySha256", /^[0-9a-f]{64}$/),
  };
}

/** The wrapping public key `byok params` wrote beside a params.json. */
export function publicKeyBeside(paramsPath: string): string {
  return join(dirname(paramsPath), PARAMS_FILES.publicKey);
}
