import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KeyplaneError } from "../errors";
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
  keySpec: string;
  wrappingAlgorithm: string;
  wrappingKeySpec: string;
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
