import { type Command, Option } from "commander";
import { KeyplaneError, usageError } from "../../byok/errors";
import { type InputKind, readInputFile } from "../../byok/files/read-bounded";
import type { ParamsJson } from "../../byok/import/params-files";
import type { JournalFields } from "../../byok/journal/journal";
import type { CheckValueMethod } from "../../byok/kcv";
import type { KeyMaterial } from "../../byok/material/key-material";
import { KEY_SPEC_INFO, type KeySpec } from "../../byok/vocabulary/key-specs";
import {
  assertWrappingCombination,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from "../../byok/vocabulary/wrapping";
import {
  assertThreshold,
  inputFileOption,
  keySpecOption,
  outputDirOption,
  sharesOption,
  wrappingAlgorithmOption,
  wrappingKeySpecOption,
} from "../flags";
import { type GlobalOptions, globalOptions } from "../global-options";
import { renderJson, say } from "../output";

const MATERIAL_HELP = "material file: raw, hex or base64 bytes; PEM/DER private key; PKCS#12";
const PASSWORD_HELP = "password of a PKCS#12 file or encrypted private key (first line)";

/** generate, kcv, wrap, escrow split|combine, journal verify: files in, files out, no AWS. */
export function registerByokOffline(byok: Command): void {
  byok
    .command("generate")
    .description("generate key material for a key spec into a new file (0600); prints its check value")
    .addOption(keySpecOption().makeOptionMandatory())
    .requiredOption(
      "--out <file>",
      "material file to create (raw bytes, or PKCS#8 DER for RSA/ECC); never overwritten",
    )
    .action(async (flags: { keySpec: KeySpec; out: string }, command: Command) => {
      const { keySpec, out } = flags;
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
    .addOption(inputFileOption("--material <file>", MATERIAL_HELP, "material").makeOptionMandatory())
    .addOption(keySpecOption("the material's key spec (default: guessed from the file)"))
    .option("--legacy", "SYMMETRIC_DEFAULT: the legacy AES-ECB-of-zeros check value", false)
    .addOption(inputFileOption("--password-file <file>", PASSWORD_HELP, "passphrase"))
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
    .description(
      "wrap material offline for ImportKeyMaterial (writes the raw EncryptedKeyMaterial bytes and a .json record beside them)",
    )
    .addOption(paramsOption("the key, key spec, wrapping algorithm and public key"))
    .addOption(
      inputFileOption(
        "--public-key <file>",
        "WrappingPublicKey from byok params: DER, PEM or base64 (default with --params: the one beside it)",
        "importFile",
      ),
    )
    .addOption(wrappingAlgorithmOption("wrapping algorithm (default with --params: its wrappingAlgorithm)"))
    .addOption(wrappingKeySpecOption("wrapping key spec (default: the public key's size)"))
    .addOption(keySpecOption("the material's key spec (default with --params: its keySpec)"))
    .addOption(inputFileOption("--material <file>", MATERIAL_HELP, "material").makeOptionMandatory())
    .addOption(inputFileOption("--password-file <file>", PASSWORD_HELP, "passphrase"))
    .requiredOption("--out <file>", "wrapped material to create, and FILE.json beside it (never overwritten)")
    .action(async (flags: WrapFlags, command: Command) => {
      const params = flags.params ? await readParams(flags.params) : undefined;
      // The public key's path is not in params.json: the flag wins over the file beside it.
      const publicKeyFile = flags.publicKey ?? params?.publicKeyFile;
      if (publicKeyFile === undefined) throw usageError("missing --public-key (or --params)");
      const algorithm = fromParams(
        "--wrapping-algorithm",
        flags.wrappingAlgorithm,
        params?.json.wrappingAlgorithm,
      );
      const keySpec = fromParams("--key-spec", flags.keySpec, params?.json.keySpec);
      const wrappingKeySpec = fromParams(
        "--wrapping-key-spec",
        flags.wrappingKeySpec,
        params?.json.wrappingKeySpec,
        true,
      );
      const out = flags.out;
      if (wrappingKeySpec) assertWrappingCombination(keySpec, algorithm, wrappingKeySpec, "USAGE");
      const { assertWrapRecordAbsent, writeWrapRecord } = await import("../../byok/wrap/wrap-record");
      assertWrapRecordAbsent(out);
      await preflightJournal(command);
      const { parseWrappingPublicKey, wrapForImport } = await import("../../byok/wrap/index");
      const publicKey = parseWrappingPublicKey(readInput(publicKeyFile, "--public-key", "importFile"), {
        source: publicKeyFile,
        ...(wrappingKeySpec ? { expected: wrappingKeySpec } : {}),
      });
      assertWrappingCombination(keySpec, algorithm, publicKey.wrappingKeySpec);
      const material = await openMaterial({ ...flags, keySpec });
      try {
        const result = wrapForImport({ material, publicKey, algorithm });
        // The public key must be the one KMS issued with the token: params.json recorded its SHA-256.
        if (params && result.publicKeyFingerprint !== params.json.publicKeySha256) {
          throw new KeyplaneError(
            "FILE",
            `--public-key ${publicKeyFile}: its SHA-256 differs from the publicKeySha256 of ${flags.params}`,
            { hint: "carry the WrappingPublicKey.der and params.json of one byok params run" },
          );
        }
        const { writeNewPrivateFile } = await import("../../byok/material/write-file");
        writeNewPrivateFile(out, result.wrapped);
        const record = writeWrapRecord(out, result.wrapped, {
          keyArn: params?.json.keyArn ?? null,
          keySpec: result.keySpec,
          checkValue: result.checkValue,
          checkValueMethod: methodOf(result.keySpec),
          wrappingAlgorithm: result.algorithm,
          wrappingKeySpec: result.wrappingKeySpec,
          publicKeySha256: result.publicKeyFingerprint,
        });
        const summary = {
          file: out,
          record,
          bytes: result.wrapped.length,
          ...(params ? { keyArn: params.json.keyArn } : {}),
          keySpec: result.keySpec,
          checkValue: result.checkValue,
          wrappingAlgorithm: result.algorithm,
          wrappingKeySpec: result.wrappingKeySpec,
          publicKeySha256: result.publicKeyFingerprint,
        };
        const options = globalOptions(command);
        await journalIfAsked(options, "wrap", {
          keyArn: params?.json.keyArn ?? null,
          keySpec: result.keySpec,
          checkValue: result.checkValue,
          wrappingAlgorithm: result.algorithm,
          wrappingKeySpec: result.wrappingKeySpec,
          publicKeyFingerprint: result.publicKeyFingerprint,
          file: out,
        });
        printFields(options, summary);
        say(
          `Carry ${out} and ${record} online; import them with \`keyplane byok import --wrapped ${out}\` and the import token issued with this public key.`,
        );
      } finally {
        material.dispose();
      }
    });

  const escrow = byok.command("escrow").description("M-of-N escrow of material in custodian share files");
  escrow
    .command("split")
    .description("split material into N share files, any M of which recover it")
    .addOption(inputFileOption("--material <file>", MATERIAL_HELP, "material").makeOptionMandatory())
    .addOption(keySpecOption("the material's key spec (default: guessed from the file)"))
    .addOption(inputFileOption("--password-file <file>", PASSWORD_HELP, "passphrase"))
    .addOption(sharesOption("--shares <n>", "number of shares N (2-255)").makeOptionMandatory())
    .addOption(sharesOption("--threshold <m>", "shares needed to recover M (2-N)").makeOptionMandatory())
    .addOption(
      outputDirOption("--out-dir <dir>", "directory for the share files (0600 each)").makeOptionMandatory(),
    )
    .addOption(
      keyArnOption(
        "key ARN the material belongs to, recorded in every share (default with --params: its keyArn)",
      ),
    )
    .addOption(paramsOption("the key ARN and key spec"))
    .addOption(
      inputFileOption(
        "--passphrase-file <files...>",
        "seal share i under the passphrase in the i-th file (one per share; list them or repeat the flag)",
        "passphrase",
      ),
    )
    .action(async (flags: SplitFlags, command: Command) => {
      const { shares, threshold, outDir } = flags;
      assertThreshold(threshold, shares, { threshold: "--threshold", shares: "--shares" });
      if (flags.passphraseFile && flags.passphraseFile.length !== shares) {
        throw usageError(
          `--passphrase-file: give one per share (${shares}), got ${flags.passphraseFile.length}`,
        );
      }
      const params = flags.params ? await readParams(flags.params) : undefined;
      const keyArn = fromParams("--key", flags.key, params?.json.keyArn, true);
      const keySpec = fromParams("--key-spec", flags.keySpec, params?.json.keySpec, true);
      await preflightJournal(command);
      const passphrases = flags.passphraseFile?.map((file) => readFirstLine(file, "--passphrase-file"));
      const material = await openMaterial({ ...flags, ...(keySpec ? { keySpec } : {}) });
      try {
        const { splitToShareFiles } = await import("../../byok/escrow/split");
        const result = await splitToShareFiles({
          material,
          shares,
          threshold,
          outDir,
          ...(keyArn ? { keyArn } : {}),
          ...(passphrases ? { passphrases } : {}),
        });
        const options = globalOptions(command);
        await journalIfAsked(options, "escrow-split", {
          keyArn: keyArn ?? null,
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
    .addOption(
      inputFileOption(
        "--share <files...>",
        "share files, at least the threshold (list them or repeat the flag)",
        "share",
      ).makeOptionMandatory(),
    )
    .addOption(
      inputFileOption(
        "--passphrase-file <files...>",
        "passphrase of the i-th sealed --share, in the same order (list them or repeat the flag)",
        "passphrase",
      ),
    )
    .addOption(keyArnOption("refuse shares of any other key"))
    .requiredOption("--out <file>", "material file to create (never overwritten)")
    .action(async (flags: CombineFlags, command: Command) => {
      const files = flags.share;
      const out = flags.out;
      if (flags.passphraseFile && flags.passphraseFile.length > files.length) {
        throw usageError(
          `--passphrase-file: at most one per --share (${files.length}), got ${flags.passphraseFile.length}`,
        );
      }
      await preflightJournal(command);
      const passphrases = (flags.passphraseFile ?? []).map((file) =>
        readFirstLine(file, "--passphrase-file"),
      );
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
    .description(
      "check a journal's hash chain; names the first line that was edited, removed or reordered " +
        "(removed last lines show only against --last-hash)",
    )
    .argument("<file>", "journal (JSON Lines)")
    .addOption(
      new Option(
        "--last-hash <hash>",
        "the last hash an earlier run printed: the journal must still hold it",
      ).argParser(parseHash),
    )
    .action(async (file: string, flags: { lastHash?: string }, command: Command) => {
      const { verifyJournalFile } = await import("../../byok/journal/journal");
      const result = verifyJournalFile(file, flags.lastHash);
      printFields(globalOptions(command), {
        file,
        entries: result.entries,
        lastHash: result.lastHash,
        ...(result.anchorLine === undefined
          ? {}
          : { anchor: `line ${result.anchorLine} (${result.entries - result.anchorLine} entries after it)` }),
        chain: "intact",
      });
    });
}

function parseHash(text: string): string {
  if (!/^[0-9a-f]{64}$/i.test(text)) {
    throw usageError(
      `--last-hash: expected 64 hex digits (a SHA-256 a journaled run printed), got '${text}'`,
    );
  }
  return text.toLowerCase();
}

function keyArnOption(description = "key ARN the material belongs to (recorded in every share)"): Option {
  return new Option("--key <arn>", description).argParser((text: string) => {
    if (!/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/\S+$/.test(text)) {
      throw usageError(`--key: expected a key ARN (arn:aws:kms:<region>:<account>:key/<id>), got '${text}'`);
    }
    return text;
  });
}

interface MaterialFlags {
  material: string;
  keySpec?: KeySpec;
  passwordFile?: string;
}

interface WrapFlags extends MaterialFlags {
  params?: string;
  publicKey?: string;
  wrappingAlgorithm?: WrappingAlgorithm;
  wrappingKeySpec?: WrappingKeySpec;
  out: string;
}

interface SplitFlags extends MaterialFlags {
  params?: string;
  shares: number;
  threshold: number;
  outDir: string;
  key?: string;
  passphraseFile?: string[];
}

interface CombineFlags {
  share: string[];
  passphraseFile?: string[];
  key?: string;
  out: string;
}

/** `--params`: the params.json `byok params` wrote, carried offline with the public key beside it. */
function paramsOption(what: string): Option {
  return inputFileOption(
    "--params <file>",
    `params.json from byok params: ${what} come from it`,
    "importFile",
  );
}

async function readParams(path: string): Promise<{ json: ParamsJson; publicKeyFile: string }> {
  const { publicKeyBeside, readParamsJson } = await import("../../byok/import/params-files");
  return { json: readParamsJson(path), publicKeyFile: publicKeyBeside(path) };
}

/**
 * A value from its flag or from params.json. Both given must agree: a flag that contradicts the carried
 * parameters is a mistake that would wrap for the wrong key.
 */
function fromParams<T extends string>(flag: string, given: T | undefined, carried: T | undefined): T;
function fromParams<T extends string>(
  flag: string,
  given: T | undefined,
  carried: T | undefined,
  optional: true,
): T | undefined;
function fromParams<T extends string>(
  flag: string,
  given: T | undefined,
  carried: T | undefined,
  optional?: true,
): T | undefined {
  if (given !== undefined && carried !== undefined && given !== carried) {
    throw usageError(
      `${flag}: ${given} differs from --params, which says ${carried}`,
      "drop the flag or fix it",
    );
  }
  const value = given ?? carried;
  if (value === undefined && !optional) throw usageError(`missing ${flag} (or --params)`);
  return value;
}

function methodOf(keySpec: KeySpec): CheckValueMethod {
  const family = KEY_SPEC_INFO[keySpec].family;
  return family === "symmetric" ? "cmac" : family === "hmac" ? "hmac" : "public-key-sha256";
}

function readInput(path: string, field: string, kind: InputKind): Buffer {
  return readInputFile(path, { field, kind });
}

function readFirstLine(path: string, field: string): string {
  const content = readInput(path, field, "passphrase");
  const line = content.toString("utf8").split(/\r?\n/, 1)[0] ?? "";
  content.fill(0);
  return line;
}

/** Loads --material, with --key-spec or a guessed spec (said on stderr when it is a guess). */
async function openMaterial(flags: MaterialFlags): Promise<KeyMaterial> {
  const path = flags.material;
  const { guessKeySpec, parseMaterial } = await import("../../byok/material/load");
  const password = flags.passwordFile ? readFirstLine(flags.passwordFile, "--password-file") : undefined;
  const options = password === undefined ? {} : { password };
  const content = readInput(path, "--material", "material");
  try {
    let keySpec: KeySpec;
    if (flags.keySpec) keySpec = flags.keySpec;
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
  const method = methodOf(material.keySpec);
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
