/**
 * The wrap record: what `byok wrap` knew about the material, carried online beside the wrapped bytes
 * (`EncryptedKeyMaterial.bin.json`), so `byok import` can print the check value custodians wrote on the
 * paper record and check it against KMS where KMS can show one. No secrets: check value, key, algorithms,
 * fingerprints.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { KeyplaneError } from "../errors";
import { readInputFile } from "../files/read-bounded";
import type { CheckValueMethod } from "../kcv";
import { writeNewPrivateFile } from "../material/write-file";
import { KEY_SPECS, type KeySpec } from "../vocabulary/key-specs";

export interface WrapRecord {
  format: "keyplane-wrap-record";
  version: 1;
  /** The key the import parameters were fetched for (from params.json), or null when wrapped without it. */
  keyArn: string | null;
  keySpec: KeySpec;
  checkValue: string;
  checkValueMethod: CheckValueMethod;
  wrappingAlgorithm: string;
  wrappingKeySpec: string;
  publicKeySha256: string;
  /** SHA-256 of the wrapped bytes: ties the record to its file. */
  wrappedSha256: string;
}

/** The record's file name beside the wrapped file. */
export function wrapRecordPath(wrappedPath: string): string {
  return `${wrappedPath}.json`;
}

/** Refuses before anything is written when the record's file already exists (never overwritten). */
export function assertWrapRecordAbsent(wrappedPath: string): void {
  const path = wrapRecordPath(wrappedPath);
  if (existsSync(path)) {
    throw new KeyplaneError("FILE", `${path}: already exists; refusing to overwrite it`, {
      hint: "name a new --out",
    });
  }
}

export function writeWrapRecord(
  wrappedPath: string,
  wrapped: Buffer,
  fields: Omit<WrapRecord, "format" | "version" | "wrappedSha256">,
): string {
  const record: WrapRecord = {
    format: "keyplane-wrap-record",
    version: 1,
    ...fields,
    wrappedSha256: sha256(wrapped),
  };
  const path = wrapRecordPath(wrappedPath);
  writeNewPrivateFile(path, `${JSON.stringify(record, null, 2)}\n`);
  return path;
}

/**
 * The record beside `wrappedPath`, if `byok wrap` wrote one; refused when it belongs to other wrapped
 * bytes (a file swapped or copied over), naming the file.
 */
export function readWrapRecord(wrappedPath: string, wrapped: Buffer): WrapRecord | undefined {
  const path = wrapRecordPath(wrappedPath);
  if (!existsSync(path)) return undefined;
  let record: Partial<WrapRecord>;
  try {
    record = JSON.parse(readInputFile(path, { kind: "importFile" }).toString("utf8")) as Partial<WrapRecord>;
  } catch (error) {
    if (error instanceof KeyplaneError) throw error;
    throw new KeyplaneError("FILE", `${path}: not JSON (expected the wrap record byok wrap writes)`);
  }
  if (
    record.format !== "keyplane-wrap-record" ||
    record.version !== 1 ||
    typeof record.checkValue !== "string" ||
    !KEY_SPECS.includes(record.keySpec as KeySpec)
  ) {
    throw new KeyplaneError("FILE", `${path}: not a keyplane wrap record (format 1)`);
  }
  if (record.wrappedSha256 !== sha256(wrapped)) {
    throw new KeyplaneError("FILE", `${path}: describes other wrapped material than ${wrappedPath}`, {
      hint: "carry the wrapped file and its .json together, as byok wrap wrote them",
    });
  }
  return record as WrapRecord;
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
