/**
 * Every flag more than one command shares, as a commander `Option` with its parser. A parser refuses a bad
 * value with a USAGE KeyplaneError naming the flag (exit 2, one line) while commander parses, before any
 * action runs; so the same flag fails the same way in every command. Values keep their command-line form
 * (strings) unless a number is the point, so the commands read them as before.
 */
import { statSync } from "node:fs";
import { Option } from "commander";
import { KeyplaneError, usageError } from "../byok/errors";
import { checkInputFile, type InputKind } from "../byok/files/read-bounded";
import { MAX_VALIDITY_MS } from "../byok/import/expiry-option";
import { parseEndpointUrl } from "../byok/kms/endpoint";
import { assertKeyReference } from "../byok/kms/key-reference";
import { DAY_MS, parseDuration } from "../byok/vocabulary/durations";
import { KEY_SPECS } from "../byok/vocabulary/key-specs";
import { parseRegion, parseRegionList } from "../byok/vocabulary/regions";
import { WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from "../byok/vocabulary/wrapping";

/** A flag given twice or more collects its values (`--share a --share b`); variadic flags add to it too. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function oneOf<T extends string>(flag: string, values: readonly T[]) {
  return (value: string): T => {
    if (!(values as readonly string[]).includes(value)) {
      throw usageError(`${flag}: expected one of ${values.join(", ")}, got '${value}'`);
    }
    return value as T;
  };
}

/** An option whose value must be one of `values` (listed in --help as commander's choices). */
function choiceOption<T extends string>(flags: string, description: string, values: readonly T[]): Option {
  const option = new Option(flags, description).choices(values);
  return option.argParser(oneOf(option.long ?? flags, values));
}

export function keySpecOption(
  description = `the material's key spec: one of ${KEY_SPECS.join(", ")}`,
): Option {
  return choiceOption("--key-spec <spec>", description, KEY_SPECS);
}

export function wrappingAlgorithmOption(description = "wrapping algorithm"): Option {
  const option = new Option("--wrapping-algorithm <alg>", description).choices(WRAPPING_ALGORITHMS);
  const parse = oneOf("--wrapping-algorithm", WRAPPING_ALGORITHMS);
  return option.argParser((value: string) => {
    if (value === "RSAES_PKCS1_V1_5") {
      throw usageError(
        "--wrapping-algorithm: RSAES_PKCS1_V1_5 is no longer accepted by KMS",
        `use ${WRAPPING_ALGORITHMS.join(" or ")}`,
      );
    }
    return parse(value);
  });
}

export function wrappingKeySpecOption(description = "wrapping key spec"): Option {
  return choiceOption("--wrapping-key-spec <spec>", description, WRAPPING_KEY_SPECS);
}

export function importTypeOption(
  description = "new (first or rotation material) or existing (re-import the same)",
): Option {
  return choiceOption("--import-type <type>", description, ["new", "existing"] as const);
}

/** `--key`: the form of a key reference is checked here; whether the key exists is for KMS. */
export function keyOption(description = "key id, key ARN, alias name or alias ARN"): Option {
  return new Option("--key <key>", description).argParser((value: string) => {
    assertKeyReference(value, "--key");
    return value;
  });
}

/** A whole number in [min, max], refusing `3.5`, `0x3`, `1e1`, `-3` and the empty string. */
export function parseCount(flag: string, text: string, range: { min: number; max: number }): number {
  const value = /^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(value >= range.min && value <= range.max)) {
    throw usageError(`${flag}: expected a whole number from ${range.min} to ${range.max}, got '${text}'`);
  }
  return value;
}

export function countOption(
  flags: string,
  description: string,
  range: { min: number; max: number },
  defaultValue?: number,
): Option {
  const option = new Option(flags, description);
  option.argParser((text: string) => parseCount(option.long ?? flags, text, range));
  return defaultValue === undefined ? option : option.default(defaultValue);
}

/**
 * Escrow share counts: Shamir over GF(2^8) gives at most 255 shares, and one share (or a threshold of
 * one) would be the material itself in a file, not escrow.
 */
export const SHARE_RANGE = { min: 2, max: 255 } as const;

/** Escrow when no flag says otherwise: three custodians, any two recover (rotation apply, ceremony). */
export const DEFAULT_ESCROW = { shares: 3, threshold: 2 } as const;

export function sharesOption(flags: string, description: string, defaultValue?: number): Option {
  return countOption(flags, description, SHARE_RANGE, defaultValue);
}

/** The combination rule of a split: a threshold above the share count could never recover anything. */
export function assertThreshold(
  threshold: number,
  shares: number,
  flags: { threshold: string; shares: string },
): void {
  if (threshold > shares) {
    throw usageError(
      `${flags.threshold}: expected a whole number from ${SHARE_RANGE.min} to ${shares} (at most ${flags.shares}), got '${threshold}'`,
    );
  }
}

/** A duration (`30d`, `12h`, `2w`) within [min, max] milliseconds; the text is kept as given. */
function durationParser(flag: string, range: { minMs: number; maxMs: number; maxText: string }) {
  return (text: string): string => {
    let ms: number;
    try {
      ms = parseDuration(text, flag);
    } catch (error) {
      throw usageError(error instanceof Error ? error.message : String(error));
    }
    if (ms < range.minMs) throw usageError(`${flag}: expected a duration above zero, got '${text}'`);
    if (ms > range.maxMs) throw usageError(`${flag}: expected at most ${range.maxText}, got '${text}'`);
    return text.trim();
  };
}

/** `--expires-in`: KMS takes a ValidTo at most 365 days after the import. */
export function expiresInOption(description: string): Option {
  return new Option("--expires-in <duration>", description).argParser(
    durationParser("--expires-in", { minMs: 1, maxMs: MAX_VALIDITY_MS, maxText: "365d (KMS's limit)" }),
  );
}

/** `--within`: any look-ahead up to ten years (further says nothing about 365-day material). */
export function withinOption(description: string, defaultValue: string): Option {
  return new Option("--within <duration>", description)
    .argParser(durationParser("--within", { minMs: 0, maxMs: 3650 * DAY_MS, maxText: "3650d" }))
    .default(defaultValue);
}

/**
 * `--valid-to`: an ISO 8601 time in the future and within KMS's 365 days. Judged by this machine's clock
 * here; the import judges it again by KMS's clock, which a sandbox rehearsal may have moved.
 */
export function validToOption(description = "material expires at this time (ISO 8601)"): Option {
  return new Option("--valid-to <iso>", description).argParser((text: string) => {
    const validTo = new Date(text);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text) || Number.isNaN(validTo.getTime())) {
      throw usageError(`--valid-to: expected an ISO 8601 time like 2027-01-31T00:00:00Z, got '${text}'`);
    }
    const ahead = validTo.getTime() - Date.now();
    if (ahead <= 0) throw usageError(`--valid-to: expected a time in the future, got '${text}'`);
    if (ahead > MAX_VALIDITY_MS) {
      throw usageError(
        `--valid-to: KMS allows at most 365 days from now, got '${text}'`,
        "or use --no-expiry",
      );
    }
    return text;
  });
}

/** A plan name as the stacks tag keys with it (keyplane:plan): what `name:` of a key plan may hold. */
const PLAN_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * `--plan` of rotation and expiry: the plan whose keys to take, by name (the keyplane:plan tag) or by its
 * key plan file as `plan lint|explain|access` and `synth` take it. A plan name has no `.` or `/`, so the
 * rule is plain: a value that is a plan name is one; anything else is a key plan file, read for its name.
 */
export function planNameOption(description: string): Option {
  return new Option("--plan <name|file>", description).argParser((text: string) => {
    if (PLAN_NAME.test(text)) return text;
    if (text === "" || !/[./]/.test(text)) {
      throw usageError(
        `--plan: expected a plan name (lower-case letters, digits and '-', starting with a letter) or a key plan file, got '${text}'`,
      );
    }
    // Loaded only for a file: the YAML parser stays out of every other start-up.
    const { loadPlanFile } = require("../stacks/plan/load") as typeof import("../stacks/plan/load");
    return loadPlanFile(text).name;
  });
}

/** `--regions a,b`: each a region name, none twice, none empty; kept as the comma-separated text. */
export function regionsOption(
  description = "comma-separated regions (default: the profile's region)",
): Option {
  return new Option("--regions <list>", description).argParser((text: string) =>
    parseRegionList(text, "--regions").join(","),
  );
}

export function regionOption(description: string): Option {
  return new Option("--region <region>", description).argParser((text: string) =>
    parseRegion(text, "--region"),
  );
}

export function profileOption(description = "AWS named profile (exactly as AWS_PROFILE)"): Option {
  return new Option("--profile <name>", description).argParser((text: string) => {
    if (text.trim() === "") throw usageError("--profile: expected a profile name, got ''");
    return text;
  });
}

export function endpointUrlOption(description: string): Option {
  return new Option("--endpoint-url <url>", description).argParser((text: string) => parseEndpointUrl(text));
}

/**
 * A file the command reads: a regular file within the cap of its kind, checked as the flag is parsed
 * (exit 1 naming the flag and file), so `/dev/zero` or a FIFO never reaches a read.
 */
export function inputFileOption(
  flags: string,
  description: string,
  kind: InputKind,
  options: { repeatable?: boolean } = {},
): Option {
  const option = new Option(flags, description);
  const field = option.long ?? flags;
  const check = (path: string) => {
    if (path === "") throw usageError(`${field}: expected a file name, got ''`);
    checkInputFile(path, { field, kind });
    return path;
  };
  if (!option.variadic && !options.repeatable) return option.argParser(check);
  return option.argParser((path: string, previous: string[] | undefined) => collect(check(path), previous));
}

/** `--journal`: may not exist yet (it is created), but when it does it must be a bounded regular file. */
export function journalOption(description: string): Option {
  return new Option("--journal <file>", description).argParser((path: string) => {
    if (path === "") throw usageError("--journal: expected a file name, got ''");
    checkInputFile(path, { field: "--journal", kind: "journal" }, true);
    return path;
  });
}

/** A folder the command writes into: a path that exists as something else is refused up front. */
export function outputDirOption(flags: string, description: string): Option {
  const option = new Option(flags, description);
  const field = option.long ?? flags;
  return option.argParser((path: string) => {
    if (path === "") throw usageError(`${field}: expected a folder name, got ''`);
    assertFolderOrAbsent(path, field);
    return path;
  });
}

function assertFolderOrAbsent(path: string, field: string): void {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    const reason =
      code === "ENOTDIR" ? "a parent of it is not a folder" : `cannot use it (${code ?? "error"})`;
    throw new KeyplaneError("FILE", `${field} ${path}: ${reason}`, { cause: error });
  }
  if (!isFolder) {
    throw new KeyplaneError("FILE", `${field} ${path}: exists and is not a folder`, {
      hint: "name a new or existing folder",
    });
  }
}
