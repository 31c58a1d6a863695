import type { Command } from "commander";
import { usageError } from "../../byok/errors";
import type { JournalFields } from "../../byok/journal/journal";
import type { KeyMaterial } from "../../byok/material/key-material";
import { isKeySpec, KEY_SPEC_INFO, KEY_SPECS, type KeySpec } from "../../byok/vocabulary/key-specs";
import {
  assertWrappingCombination,
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_SPECS,
} from "../../byok/vocabulary/wrapping";
import { type GlobalOptions, globalOptions } from "../global-options";
import { renderJson, say } from "../output";
import { requiredFlag, wrappingAlgorithmFlag, wrappingKeySpecFlag } from "./byok-online";

/** generate, kcv, wrap, escrow split|combine, journal verify: files in, files out, no AWS. */
export function registerByokOffline(byok: Command): void {
  byok
    .command("generate")
    .description("generate key material for a key spec into a new file (0600); prints its check value")
    .option("--key-spec <spec>", `one of ${KEY_SPECS.join(", ")}`)
    .option(
      "--out <file>",
      "material file to create (raw bytes, or PKCS#8 DER for RSA/ECC); never overwritten",
    )
    .action(async (flags: { keySpec?: string; out?: string }, command: Command) => {
      const keySpec = keySpecFlag(requiredFlag(flags.keySpec, "--key-spec"));
      const out = requiredFlag(flags.out, "--out");
      await preflightJournal(command);
      const { generateMaterial } = await import("../../byok/material/generate");
      const { writeNewPrivateFile } = await import("../../byok/material/write-file");
      const material = generateMaterial(keySpec);
      try {
        material.withBytes((bytes) => writeNewPrivateFile(out, bytes));
        const options = globalOptions(command);
        await journalIfAsked(options, "generate", { keySpec, checkValue: material.checkValue, file: out });
        printMaterialSummary(options, material, { file: out });
      } finally {
        material.dispose();
      }
    });

  byok
    .command("kcv")
    .description("key check value (AES-CMAC, or --legacy AES-ECB), HMAC check value or public-key SHA-256")
    .option("--material <file>", "material file: raw, hex or base64 bytes; PEM/DER private key; PKCS#12")
    .option("--key-spec <spec>", "the material's key spec (default: guessed from the file)")
    .option("--legacy", "SYMMETRIC_DEFAULT: the legacy AES-ECB-of-zeros check value", false)
    .option("--password-file <file>", "password of a PKCS#12 file or encrypted private key (first line)")
    .action(async (flags: MaterialFlags & { legacy: boolean }, command: Command) => {
      const material = await openMaterial(flags);
      try {
        if (flags.legacy) {
          const { checkValue } = await import("../../byok/kcv");
          const legacy = material.withBytes((bytes) => checkValue(material.keySpec, bytes, { legacy: true }));
          printMaterialSummary(globalOptions(command), material, {
            checkValue: legacy.value,
            method: legacy.method,
          });
        } else printMaterialSummary(globalOptions(command), material, {});
      } finally {
        material.dispose();
      }
    });

  byok
    .command("wrap")
    .description("wrap material offline for ImportKeyMaterial (writes the raw EncryptedKeyMaterial bytes)")
    .option("--public-key <file>", "WrappingPublicKey from byok params: DER, PEM or base64")
    .option("--wrapping-algorithm <alg>", `one of ${WRAPPING_ALGORITHMS.join(", ")}`)
    .option(
      "--wrapping-key-spec <spec>",
      `one of ${WRAPPING_KEY_SPECS.join(", ")} (default: the public key's size)`,
    )
    .option("--key-spec <spec>", `the material's key spec: one of ${KEY_SPECS.join(", ")}`)
    .option("--material <file>", "material file: raw, hex or base64 bytes; PEM/DER private key; PKCS#12")
    .option("--password-file <file>", "password of a PKCS#12 file or encrypted private key (first line)")
    .option("--out <file>", "wrapped material to create (never overwritten)")
    .action(async (flags: WrapFlags, command: Command) => {
      const publicKeyFile = requiredFlag(flags.publicKey, "--public-key");
      const algorithm = wrappingAlgorithmFlag(requiredFlag(flags.wrappingAlgorithm, "--wrapping-algorithm"));
      const wrappingKeySpec = flags.wrappingKeySpec ? wrappingKeySpecFlag(flags.wrappingKeySpec) : undefined;
      const keySpec = keySpecFlag(requiredFlag(flags.keySpec, "--key-spec"));
      requiredFlag(flags.material, "--material");
      const out = requiredFlag(flags.out, "--out");
      await preflightJournal(command);
      const { parseWrappingPublicKey, wrapForImport } = await import("../../byok/wrap/index");
      if (wrappingKeySpec) assertWrappingCombination(keySpec, algorithm, wrappingKeySpec);
      const publicKey = parseWrappingPublicKey(await readInput(publicKeyFile), {
        source: publicKeyFile,
        ...(wrappingKeySpec ? { expected: wrappingKeySpec } : {}),
      });
      assertWrappingCombination(keySpec, algorithm, publicKey.wrappingKeySpec);
      const material = await openMaterial({ ...flags, keySpec });
      try {
        const result = wrapForImport({ material, publicKey, algorithm });
        const { writeNewPrivateFile } = await import("../../byok/material/write-file");
        writeNewPrivateFile(out, result.wrapped);
        const summary = {
          file: out,
          bytes: result.wrapped.length,
          keySpec: result.keySpec,
          checkValue: result.checkValue,
          wrappingAlgorithm: result.algorithm,
          wrappingKeySpec: result.wrappingKeySpec,
          publicKeySha256: result.publicKeyFingerprint,
        };
        const options = globalOptions(command);
        await journalIfAsked(options, "wrap", {
          keySpec: result.keySpec,
          checkValue: result.checkValue,
          wrappingAlgorithm: result.algorithm,
          wrappingKeySpec: result.wrappingKeySpec,
          publicKeyFingerprint: result.publicKeyFingerprint,
          file: out,
        });
        printFields(options, summary);
        say(
          "Import it with `keyplane byok import --wrapped FILE` and the import token issued with this public key.",
        );
      } finally {
        material.dispose();
      }
    });

  const escrow = byok.command("escrow").description("M-of-N escrow of material in custodian share files");
  escrow
    .command("split")
    .description("split material into N share files, any M of which recover it")
    .option("--material <file>", "material file: raw, hex or base64 bytes; PEM/DER private key; PKCS#12")
    .option("--key-spec <spec>", "the material's key spec (default: guessed from the file)")
    .option("--password-file <file>", "password of a PKCS#12 file or encrypted private key (first line)")
    .option("--shares <n>", "number of shares N (2-255)")
    .option("--threshold <m>", "shares needed to recover M (2-N)")
    .option("--out-dir <dir>", "directory for the share files (0600 each)")
    .option("--key <arn>", "key ARN the material belongs to (recorded in every share)")
    .option(
      "--passphrase-file <files...>",
      "seal share i under the passphrase in the i-th file (one per share; list them or repeat the flag)",
    )
    .action(async (flags: SplitFlags, command: Command) => {
      const shares = countFlag(requiredFlag(flags.shares, "--shares"), "--shares");
      const threshold = countFlag(requiredFlag(flags.threshold, "--threshold"), "--threshold");
      const outDir = requiredFlag(flags.outDir, "--out-dir");
      if (flags.passphraseFile && flags.passphraseFile.length !== shares) {
        throw usageError(
          `--passphrase-file: give one per share (${shares}), got ${flags.passphraseFile.length}`,
        );
      }
      await preflightJournal(command);
      const passphrases = flags.passphraseFile
        ? await Promise.all(flags.passphraseFile.map(readFirstLine))
        : undefined;
      const material = await openMaterial(flags);
      try {
        const { splitToShareFiles } = await import("../../byok/escrow/split");
        const result = await splitToShareFiles({
          material,
          shares,
          threshold,
          outDir,
          ...(flags.key ? { keyArn: flags.key } : {}),
          ...(passphrases ? { passphrases } : {}),
        });
        const options = globalOptions(command);
        await journalIfAsked(options, "escrow-split", {
          keyArn: flags.key ?? null,
          keySpec: material.keySpec,
          checkValue: result.checkValue,
          shares,
          threshold,
          ceremonyId: result.ceremonyId,
          sealed: passphrases !== undefined,
        });
        const summary = {
          keySpec: material.keySpec,
          checkValue: result.checkValue,
          threshold,
          shares,
          ceremonyId: result.ceremonyId,
        };
        if (options.output === "json") process.stdout.write(renderJson({ ...summary, files: result.files }));
        else printFields(options, { ...summary, files: result.files.join(", ") });
        say(`Hand one share file to each custodian; any ${threshold} of ${shares} recover the material.`);
      } finally {
        material.dispose();
      }
    });

  escrow
    .command("combine")
    .description("recover material from share files into a new file (0600); checks its check value")
    .option("--share <files...>", "share files, at least the threshold (list them or repeat the flag)")
    .option(
      "--passphrase-file <files...>",
      "passphrase of the i-th sealed --share, in the same order (list them or repeat the flag)",
    )
    .option("--key <arn>", "refuse shares of any other key")
    .option("--out <file>", "material file to create (never overwritten)")
    .action(async (flags: CombineFlags, command: Command) => {
      const files = flags.share ?? [];
      if (files.length === 0)
        throw usageError("missing --share (give at least the threshold number of share files)");
      const out = requiredFlag(flags.out, "--out");
      await preflightJournal(command);
      const passphrases = flags.passphraseFile
        ? await Promise.all(flags.passphraseFile.map(readFirstLine))
        : [];
      const { combineShareFiles } = await import("../../byok/escrow/combine");
      const { writeNewPrivateFile } = await import("../../byok/material/write-file");
      const result = await combineShareFiles({
        files,
        passphrase: ({ path }) => passphrases[files.indexOf(path)],
        ...(flags.key ? { expectedKeyArn: flags.key } : {}),
      });
      try {
        result.material.withBytes((bytes) => writeNewPrivateFile(out, bytes));
        const options = globalOptions(command);
        await journalIfAsked(options, "escrow-combine", {
          keyArn: result.keyArn,
          keySpec: result.material.keySpec,
          checkValue: result.material.checkValue,
          ceremonyId: result.ceremonyId,
          shareIndexes: result.indexes.join(","),
          file: out,
        });
        printMaterialSummary(options, result.material, {
          file: out,
          keyArn: result.keyArn ?? "",
          shares: result.indexes.join(","),
        });
      } finally {
        result.material.dispose();
      }
    });

  byok
    .command("journal")
    .description("ceremony journal tools")
    .command("verify")
    .description("check a journal's hash chain; names the first line that was edited, removed or reordered")
    .argument("<file>", "journal (JSON Lines)")
    .action(async (file: string, _flags: unknown, command: Command) => {
      const { verifyJournal } = await import("../../byok/journal/journal");
      const { existsSync } = await import("node:fs");
      if (!existsSync(file)) {
        const { KeyplaneError } = await import("../../byok/errors");
        throw new KeyplaneError("FILE", `${file}: no such journal`);
      }
      const result = verifyJournal(file);
      printFields(globalOptions(command), {
        file,
        entries: result.entries,
        lastHash: result.lastHash,
        chain: "intact",
      });
    });
}

interface MaterialFlags {
  material?: string;
  keySpec?: string;
  passwordFile?: string;
}

interface WrapFlags extends MaterialFlags {
  publicKey?: string;
  wrappingAlgorithm?: string;
  wrappingKeySpec?: string;
  out?: string;
}

interface SplitFlags extends MaterialFlags {
  shares?: string;
  threshold?: string;
  outDir?: string;
  key?: string;
  passphraseFile?: string[];
}

interface CombineFlags {
  share?: string[];
  passphraseFile?: string[];
  key?: string;
  out?: string;
}

function keySpecFlag(value: string): KeySpec {
  if (!isKeySpec(value))
    throw usageError(`--key-spec: expected one of ${KEY_SPECS.join(", ")}, got '${value}'`);
  return value;
}

function countFlag(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw usageError(`${flag}: expected a whole number, got '${value}'`);
  return Number(value);
}

async function readInput(path: string): Promise<Buffer> {
  const { readMaterialFile } = await import("../../byok/material/load");
  return readMaterialFile(path);
}

async function readFirstLine(path: string): Promise<string> {
  const content = await readInput(path);
  const line = content.toString("utf8").split(/\r?\n/, 1)[0] ?? "";
  content.fill(0);
  return line;
}

/** Loads --material, with --key-spec or a guessed spec (said on stderr when it is a guess). */
async function openMaterial(flags: MaterialFlags): Promise<KeyMaterial> {
  const path = requiredFlag(flags.material, "--material");
  const { guessKeySpec, parseMaterial, readMaterialFile } = await import("../../byok/material/load");
  const password = flags.passwordFile ? await readFirstLine(flags.passwordFile) : undefined;
  const options = password === undefined ? {} : { password };
  const content = readMaterialFile(path);
  try {
    let keySpec: KeySpec;
    if (flags.keySpec) keySpec = keySpecFlag(flags.keySpec);
    else {
      const guess = guessKeySpec(content, path, options);
      keySpec = guess.keySpec;
      if (guess.ambiguous)
        say(`${path}: 32 bytes, taken as SYMMETRIC_DEFAULT (give --key-spec HMAC_256 for an HMAC key)`);
    }
    return parseMaterial(content, keySpec, path, options);
  } finally {
    content.fill(0);
  }
}

function printMaterialSummary(
  options: GlobalOptions,
  material: KeyMaterial,
  extra: Record<string, string>,
): void {
  const family = KEY_SPEC_INFO[material.keySpec].family;
  const method = family === "symmetric" ? "cmac" : family === "hmac" ? "hmac" : "public-key-sha256";
  printFields(options, { keySpec: material.keySpec, checkValue: material.checkValue, method, ...extra });
}

/** Fails before any work when --journal is given but cannot take the step's record. */
async function preflightJournal(command: Command): Promise<void> {
  const { journal } = globalOptions(command);
  if (!journal) return;
  const { assertJournalWritable } = await import("../../byok/journal/journal");
  assertJournalWritable(journal);
}

/**
 * Appends a non-secret record of an offline step to the --journal file, when one is given. Offline there is
 * no STS identity: the caller is the local user.
 */
async function journalIfAsked(options: GlobalOptions, event: string, fields: JournalFields): Promise<void> {
  if (!options.journal) return;
  const { appendJournal } = await import("../../byok/journal/journal");
  const { userInfo } = await import("node:os");
  appendJournal(options.journal, event, { caller: `local:${userInfo().username}`, outcome: "ok", ...fields });
}

/** One result record: aligned `name  value` lines, or a JSON object with --output json. */
function printFields(options: GlobalOptions, fields: Record<string, string | number>): void {
  if (options.output === "json") {
    process.stdout.write(renderJson(fields));
    return;
  }
  const width = Math.max(...Object.keys(fields).map((name) => name.length));
  process.stdout.write(
    `${Object.entries(fields)
      .map(([name, value]) => `${name.padEnd(width)}  ${value}`)
      .join("\n")}\n`,
  );
}
