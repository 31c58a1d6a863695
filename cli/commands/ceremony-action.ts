import type { Command } from "commander";
import { type CeremonyResult, runCeremony } from "../../byok/ceremony/run-ceremony";
import { CEREMONY_STEPS, STEP_TITLES } from "../../byok/ceremony/steps";
import { KeyplaneError, usageError } from "../../byok/errors";
import { type MaterialExpiry, materialExpiryFromFlags } from "../../byok/import/expiry-option";
import type { ImportKind } from "../../byok/import/import-material";
import { assertExternalKey } from "../../byok/import/parameters";
import { clientRegion, createKmsClient } from "../../byok/kms/client";
import { listTags } from "../../byok/kms/list-keys";
import { resolveKey } from "../../byok/kms/resolve-key";
import { bindOfflineModules } from "../../byok/offline-binding";
import type { KeySpec } from "../../byok/vocabulary/key-specs";
import { parseKeyplaneTags } from "../../byok/vocabulary/tags";
import {
  type WrappingAlgorithm,
  type WrappingKeySpec,
  wrappingChoices,
} from "../../byok/vocabulary/wrapping";
import { assertThreshold, parseCount, SHARE_RANGE } from "../flags";
import { type GlobalOptions, globalOptions } from "../global-options";
import { journaledSteps } from "../journal-binding";
import { renderJson } from "../output";
import { TaskList } from "../progress/task-list";
import { type Ask, createAsk } from "../prompts/ask";
import { pickKey } from "../prompts/key-picker";
import { acquireMaterial, parseMaterialSource } from "../prompts/material-source";
import type { CeremonyFlags } from "./byok-ceremony";

export async function runCeremonyCommand(flags: CeremonyFlags, command: Command): Promise<void> {
  const options = globalOptions(command);
  const ask = await createAsk();
  // Cheap checks of every given flag first: a typo fails before anyone types a component.
  const source = flags.material === undefined ? undefined : parseMaterialSource(flags.material);
  const givenAlgorithm = flags.wrappingAlgorithm;
  const givenSpec = flags.wrappingKeySpec;
  const givenImportType = flags.importType;
  const givenExpiry = materialExpiryFromFlags({
    expiresIn: flags.expiresIn,
    validTo: flags.validTo,
    noExpiry: flags.expiry === false,
  });
  const shares = flags.escrowShares;
  const threshold = flags.escrowThreshold;
  if (shares !== undefined && threshold !== undefined) assertThreshold(threshold, shares, ESCROW_FLAGS);
  if (!ask.interactive) requireFlags(flags, options, givenExpiry);

  const client = createKmsClient(options);
  let dispose: (() => void) | undefined;
  try {
    const key = flags.key ?? (await pickKey(ask, client, await clientRegion(client)));
    const metadata = await resolveKey(client, key);
    const keySpec = assertExternalKey(metadata, key);
    const keyArn = metadata.Arn ?? key;
    const tags = parseKeyplaneTags(await listTags(client, keyArn));

    const offline = bindOfflineModules();
    const acquired = await acquireMaterial(ask, source, keySpec, flags.component ?? [], offline);
    const material = acquired.material;
    dispose = acquired.dispose;
    ask.tell(`Material check value: ${material.checkValue}`);

    const { algorithm, wrappingKeySpec } = await chooseWrapping(ask, keySpec, givenAlgorithm, givenSpec);
    const expiry = givenExpiry ?? (await askExpiry(ask, tags.materialValidityDays));
    const importType =
      givenImportType ??
      (metadata.KeyState === "PendingImport" && !metadata.CurrentKeyMaterialId
        ? "new"
        : await ask.select<ImportKind>("--import-type", "Import as", [
            { name: "existing: the same material again (renewal)", value: "existing" },
            { name: "new: new material for an on-demand rotation", value: "new" },
          ]));
    const escrowDir =
      flags.escrowDir ?? (await ask.input("--escrow-dir", "Escrow folder", { initial: "escrow" }));
    const escrowShares =
      shares ??
      parseCount(
        "--escrow-shares",
        await ask.input("--escrow-shares", "Escrow shares", { initial: "3" }),
        SHARE_RANGE,
      );
    const escrowThreshold =
      threshold ??
      parseCount(
        "--escrow-threshold",
        await ask.input("--escrow-threshold", "Shares needed to recover", { initial: "2" }),
        SHARE_RANGE,
      );
    if (escrowThreshold > escrowShares) {
      throw usageError(`--escrow-threshold: ${escrowThreshold} is more than --escrow-shares ${escrowShares}`);
    }
    const passphrases =
      ask.interactive && (await ask.confirm("Seal each share under a custodian passphrase?", false))
        ? await askPassphrases(ask, escrowShares)
        : undefined;
    const journalFile =
      options.journal ??
      (await ask.input("--journal", "Journal file", { initial: "keyplane-journal.jsonl" }));

    const summary = [
      `key           ${keyArn} (${keySpec})`,
      `material      ${acquired.description}, check value ${material.checkValue}`,
      `wrapping      ${algorithm} / ${wrappingKeySpec}`,
      `expiry        ${describeExpiry(expiry)}`,
      `import type   ${importType}`,
      `escrow        ${escrowThreshold} of ${escrowShares} shares in ${escrowDir}${passphrases ? ", sealed" : ""}`,
      `journal       ${journalFile}`,
    ];
    if (!options.yes) {
      ask.tell(summary.join("\n"));
      if (!(await ask.confirm("Import this material now?", false))) {
        throw new KeyplaneError("INVALID_INPUT", "ceremony not confirmed; nothing was imported");
      }
    }
    const journaled = await journaledSteps(options, journalFile);
    const tasks = new TaskList(STEP_TITLES);
    const result = await runCeremony(
      client,
      journaled,
      {
        key: keyArn,
        material,
        wrappingAlgorithm: algorithm,
        wrappingKeySpec,
        expiry,
        importType,
        ...(flags.description === undefined ? {} : { description: flags.description }),
        escrow: {
          dir: escrowDir,
          shares: escrowShares,
          threshold: escrowThreshold,
          ...(passphrases ? { passphrases } : {}),
        },
      },
      (step, state, detail) => tasks.set(step, state, detail),
    );
    printResult(options, result, journalFile);
  } finally {
    dispose?.();
    client.destroy();
  }
}

function requireFlags(
  flags: CeremonyFlags,
  options: GlobalOptions,
  expiry: MaterialExpiry | undefined,
): void {
  const missing: [boolean, string][] = [
    [flags.key === undefined, "--key"],
    [flags.material === undefined, "--material"],
    [expiry === undefined, "--expires-in, --valid-to or --no-expiry"],
    [flags.escrowDir === undefined, "--escrow-dir"],
    [flags.escrowShares === undefined, "--escrow-shares"],
    [flags.escrowThreshold === undefined, "--escrow-threshold"],
    [options.journal === undefined, "--journal"],
    [!options.yes, "--yes"],
  ];
  const first = missing.find(([absent]) => absent);
  if (first)
    throw usageError(`missing ${first[1]}`, "without a terminal every choice must be given as a flag");
  if (flags.material?.startsWith("p12:") && process.env.KEYPLANE_P12_PASSWORD === undefined) {
    throw usageError(
      `--material ${flags.material}: the PKCS#12 password is needed`,
      "set KEYPLANE_P12_PASSWORD; without a terminal it cannot be asked",
    );
  }
}

const ESCROW_FLAGS = { threshold: "--escrow-threshold", shares: "--escrow-shares" };

async function chooseWrapping(
  ask: Ask,
  keySpec: KeySpec,
  algorithm: WrappingAlgorithm | undefined,
  spec: WrappingKeySpec | undefined,
): Promise<{ algorithm: WrappingAlgorithm; wrappingKeySpec: WrappingKeySpec }> {
  const choices = wrappingChoices(keySpec);
  const algorithms = [...new Set(choices.map((choice) => choice.algorithm))];
  const chosenAlgorithm =
    algorithm ??
    (ask.interactive
      ? await ask.select(
          "--wrapping-algorithm",
          "Wrapping algorithm",
          algorithms.map((value, index) => ({ name: index === 0 ? `${value} (recommended)` : value, value })),
        )
      : algorithms[0]);
  const specs = choices
    .filter((choice) => choice.algorithm === chosenAlgorithm)
    .map((choice) => choice.wrappingKeySpec);
  const chosenSpec =
    spec ??
    (ask.interactive
      ? await ask.select(
          "--wrapping-key-spec",
          "Wrapping key spec",
          specs.map((value) => ({ name: value, value })),
        )
      : specs[0]);
  if (!chosenAlgorithm || !chosenSpec) throw usageError(`no wrapping choice can carry ${keySpec} material`);
  return { algorithm: chosenAlgorithm, wrappingKeySpec: chosenSpec };
}

async function askExpiry(ask: Ask, validityDays: number | undefined): Promise<MaterialExpiry> {
  const initial = validityDays ? `${Math.min(validityDays, 365)}d` : "365d";
  const answer = await ask.input("--expires-in", "Material expires in (e.g. 180d, or 'never')", {
    initial,
    validate: (value) =>
      value === "never" || /^\d+[smhdw]$/.test(value.trim()) ? true : "like 180d, or never",
  });
  if (answer === "never") return { kind: "none" };
  const expiry = materialExpiryFromFlags({ expiresIn: answer.trim() });
  if (!expiry) throw usageError("missing --expires-in");
  return expiry;
}

async function askPassphrases(ask: Ask, shares: number): Promise<string[]> {
  const passphrases: string[] = [];
  for (let index = 1; index <= shares; index += 1) {
    passphrases.push(
      await ask.secret("--escrow-dir", `Passphrase of custodian ${index} (seals share ${index})`, (value) =>
        value.length >= 8 ? true : "at least 8 characters",
      ),
    );
  }
  return passphrases;
}

function describeExpiry(expiry: MaterialExpiry): string {
  if (expiry.kind === "none") return "never";
  if (expiry.kind === "valid-to") return expiry.validTo.toISOString();
  return `${Math.round(expiry.durationMs / 86_400_000)} days after import`;
}

function printResult(options: GlobalOptions, result: CeremonyResult, journalFile: string): void {
  const output = { ...result, journal: journalFile, steps: [...CEREMONY_STEPS] };
  if (options.output === "json") {
    process.stdout.write(renderJson(output));
    return;
  }
  process.stdout.write(
    [
      `key            ${result.keyArn}`,
      `check value    ${result.checkValue}`,
      `verified by    ${result.verified}`,
      `expires        ${result.validTo ?? "never"}`,
      `escrow shares  ${result.escrowFiles.length > 0 ? result.escrowFiles.join(", ") : "(written in an earlier run)"}`,
      `journal        ${journalFile}`,
      "",
    ].join("\n"),
  );
}
