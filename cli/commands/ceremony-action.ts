import type { Command } from "commander";
import { KeyplaneError, usageError } from "../../byok/errors";
import { assertEscrowWritable } from "../../byok/escrow/manifest";
import { readInputFile } from "../../byok/files/read-bounded";
import { expiryFields, type MaterialExpiry, materialExpiryFromFlags } from "../../byok/import/expiry-option";
import type { ImportKind } from "../../byok/import/import-material";
import { assertExternalKey } from "../../byok/import/parameters";
import { clientRegion, createKmsClient } from "../../byok/kms/client";
import { listTags } from "../../byok/kms/list-keys";
import { resolveKey } from "../../byok/kms/resolve-key";
import { serverNow } from "../../byok/kms/server-time";
import { bindOfflineModules, type JournalRecord, type OfflineBinding } from "../../byok/offline-binding";
import { type CeremonyRoles, roleFields } from "../../byok/report/roles";
import { unfinishedCycle } from "../../byok/steps/cycle";
import { FLOW_STEP_TITLES, FLOW_STEPS, type MaterialFlowResult } from "../../byok/steps/flow";
import { runMaterialFlow } from "../../byok/steps/run-flow";
import type { KeySpec } from "../../byok/vocabulary/key-specs";
import { DAY_MS, MATERIAL_VALIDITY_DAYS } from "../../byok/vocabulary/kms-limits";
import { parseKeyplaneTags } from "../../byok/vocabulary/tags";
import {
  type WrappingAlgorithm,
  type WrappingKeySpec,
  wrappingChoices,
} from "../../byok/vocabulary/wrapping";
import { assertThreshold, DEFAULT_ESCROW, parseCount, SHARE_RANGE } from "../flags";
import { type FlowGuard, guardFlow } from "../flow-guard";
import { type GlobalOptions, globalOptions } from "../global-options";
import { journaledSteps } from "../journal-binding";
import { describeVerification, renderJson } from "../output";
import { TaskList } from "../progress/task-list";
import { type Ask, createAsk } from "../prompts/ask";
import { pickKey } from "../prompts/key-picker";
import { type AcquiredMaterial, acquireMaterial, parseMaterialSource } from "../prompts/material-source";
import type { CeremonyFlags } from "./byok-ceremony";
import { askMissingRoles, givenRoles } from "./byok-script-roles";

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
  if (flags.passphraseFile && shares !== undefined) assertOnePassphrasePerShare(flags.passphraseFile, shares);
  if (givenExpiry) expiryFields(givenExpiry, new Date());
  const flagRoles = givenRoles(flags);
  if (
    flags.component &&
    flagRoles.custodians.length > 0 &&
    flags.component.length !== flagRoles.custodians.length
  ) {
    throw usageError(
      `--custodian: ${flagRoles.custodians.length} custodians named for ${flags.component.length} --component files`,
    );
  }
  if (!ask.interactive) requireFlags(flags, options);

  const client = createKmsClient(options);
  let acquired: AcquiredMaterial | undefined;
  let guard: FlowGuard | undefined;
  try {
    const key = flags.key ?? (await pickKey(ask, client, await clientRegion(client)));
    const metadata = await resolveKey(client, key);
    const keySpec = assertExternalKey(metadata, key);
    const keyArn = metadata.Arn ?? key;
    const tags = parseKeyplaneTags(await listTags(client, keyArn));

    // Every answer that can be wrong is asked, and checked at its prompt, before the custodians type.
    const { algorithm, wrappingKeySpec } = await chooseWrapping(ask, keySpec, givenAlgorithm, givenSpec);
    // Without a terminal, the key's keyplane:material-validity-days tag is the default, as for renew.
    const expiry =
      givenExpiry ??
      (ask.interactive
        ? await askExpiry(ask, tags.materialValidityDays, serverNow(client))
        : expiryFromTag(tags.materialValidityDays, keyArn));
    // A rerun finishes an interrupted ceremony as it began, without asking again; a rerun after the
    // ceremony finished (only its exit was lost) has nothing left to do.
    const earlier = options.journal
      ? await bindOfflineModules({ journalFile: options.journal }).journalRecords()
      : [];
    const unfinished = unfinishedCycle(earlier, keyArn);
    const finished = completedCeremony(earlier, keyArn);
    if (
      !unfinished &&
      givenImportType === undefined &&
      finished &&
      finished.keyMaterialId === metadata.CurrentKeyMaterialId &&
      metadata.KeyState !== "PendingImport"
    ) {
      process.stderr.write(
        `nothing to do: the ceremony of ${keyArn} finished (material ${String(finished.checkValue)}, ${String(finished.keyMaterialId)}); give --import-type to import again\n`,
      );
      return;
    }
    const importType =
      givenImportType ??
      (unfinished?.flow === "ceremony" &&
      (unfinished.importType === "new" || unfinished.importType === "existing")
        ? unfinished.importType
        : undefined) ??
      (metadata.KeyState === "PendingImport" && !metadata.CurrentKeyMaterialId
        ? "new"
        : await ask.select<ImportKind>("--import-type", "Import as", [
            { name: "existing: the same material again (renewal)", value: "existing" },
            { name: "new: new material for an on-demand rotation", value: "new" },
          ]));
    const escrowDir =
      flags.escrowDir ?? (await ask.input("--escrow-dir", "Escrow folder", { initial: "escrow" }));
    // Without a terminal the escrow defaults are rotation apply's: 3 shares, any 2 recover.
    const escrowShares =
      shares ??
      (ask.interactive
        ? parseCount(
            "--escrow-shares",
            await ask.input("--escrow-shares", "Escrow shares", {
              initial: String(DEFAULT_ESCROW.shares),
              validate: countAnswer(2, 255),
            }),
            SHARE_RANGE,
          )
        : DEFAULT_ESCROW.shares);
    const escrowThreshold =
      threshold ??
      (ask.interactive
        ? parseCount(
            "--escrow-threshold",
            await ask.input("--escrow-threshold", "Shares needed to recover", {
              initial: String(Math.min(DEFAULT_ESCROW.threshold, escrowShares)),
              validate: countAnswer(2, escrowShares),
            }),
            SHARE_RANGE,
          )
        : DEFAULT_ESCROW.threshold);
    if (escrowThreshold > escrowShares) {
      throw usageError(`--escrow-threshold: ${escrowThreshold} is more than --escrow-shares ${escrowShares}`);
    }
    const passphrases = flags.passphraseFile
      ? readPassphraseFiles(flags.passphraseFile, escrowShares)
      : ask.interactive && (await ask.confirm("Seal each share under a custodian passphrase?", false))
        ? await askPassphrases(ask, escrowShares)
        : undefined;
    const journalFile =
      options.journal ??
      (await ask.input("--journal", "Journal file", { initial: "keyplane-journal.jsonl" }));

    const roles = await askMissingRoles(ask, flagRoles);

    // Material that nobody types (files, a PKCS#12) is read and checked first: a bad file ends the run
    // before a journal or escrow folder exists. Typed components wait until the folders are locked and
    // checked, so that nobody types a component for a run that cannot finish.
    const typed =
      source === undefined || (source.kind === "components" && (flags.component ?? []).length === 0);
    if (!typed)
      acquired = await acquireMaterial(ask, source, keySpec, flags.component ?? [], roles.custodians);
    guard = guardFlow({ flow: "ceremony", command: "keyplane byok ceremony", journalFile, escrowDir });
    const ports = await journaledSteps(options, journalFile);
    ports.assertJournalWritable();
    assertEscrowWritable(escrowDir);

    acquired ??= await acquireMaterial(ask, source, keySpec, flags.component ?? [], roles.custodians);
    const material = acquired.material;
    const componentCustodians = custodiansOfComponents(roles, acquired.componentCheckValues.length);
    acquired.componentCheckValues.forEach((value, index) => {
      process.stderr.write(`component ${index + 1} check value: ${value}\n`);
    });
    if (material) ask.tell(`Material check value: ${material.checkValue}`);

    const summary = [
      `key           ${keyArn} (${keySpec})`,
      `material      ${acquired.description}${material ? `, check value ${material.checkValue}` : ""}`,
      `wrapping      ${algorithm} / ${wrappingKeySpec}`,
      `expiry        ${describeExpiry(expiry)}`,
      `import type   ${importType}`,
      `escrow        ${escrowThreshold} of ${escrowShares} shares in ${escrowDir}${passphrases ? ", sealed" : ""} (written before the import)`,
      `journal       ${journalFile}`,
    ];
    if (!options.yes) {
      ask.tell(summary.join("\n"));
      if (!(await ask.confirm("Import this material now?", false))) {
        throw new KeyplaneError("INVALID_INPUT", "ceremony not confirmed; nothing was imported");
      }
    }
    const tasks = new TaskList(FLOW_STEP_TITLES);
    const active = guard;
    const result = await runMaterialFlow(
      client,
      ports,
      {
        flow: "ceremony",
        key: keyArn,
        material: material ? { kind: "held", material } : { kind: "generate" },
        wrappingAlgorithm: algorithm,
        wrappingKeySpec,
        expiry,
        importType,
        rotate: false,
        ...(flags.description === undefined ? {} : { description: flags.description }),
        escrow: {
          dir: escrowDir,
          shares: escrowShares,
          threshold: escrowThreshold,
          ...(passphrases ? { passphrases } : {}),
        },
        beginFields: {
          materialSource: source?.kind ?? acquired.description,
          ...(acquired.componentCheckValues.length > 0
            ? {
                components: acquired.componentCheckValues.length,
                componentCheckValues: acquired.componentCheckValues.join(","),
              }
            : {}),
          ...roleFields(roles),
          ...(componentCustodians ? { componentCustodians } : {}),
        },
        passphrase: async ({ index }) =>
          passphrases?.[index - 1] ??
          (ask.interactive
            ? await ask.secret("--escrow-dir", `Passphrase of share ${index} (to finish the earlier run)`)
            : undefined),
      },
      (step, state, detail) => {
        active.at(FLOW_STEP_TITLES[step], keyArn);
        tasks.set(step, state, detail);
      },
    );
    await attest(ask, ports, roles, result);
    printResult(options, result, journalFile, acquired.componentCheckValues);
  } finally {
    acquired?.dispose();
    guard?.release();
    client.destroy();
  }
}

/** Custodian i entered component i: their names, comma-joined, when every component has one. */
function custodiansOfComponents(roles: CeremonyRoles, components: number): string | undefined {
  if (components === 0 || roles.custodians.length === 0) return undefined;
  if (roles.custodians.length !== components) {
    throw usageError(`--custodian: ${roles.custodians.length} custodians named for ${components} components`);
  }
  return roles.custodians.join(",");
}

/**
 * One attestation record per witness after the cycle closed, naming the steps journaled in it. At a
 * terminal each witness confirms in person; a witness only named by flag is recorded as such.
 */
async function attest(
  ask: Ask,
  ports: OfflineBinding,
  roles: CeremonyRoles,
  result: MaterialFlowResult,
): Promise<void> {
  if (roles.witnesses.length === 0) return;
  const steps = (await ports.journalRecords())
    .filter((record) => record.cycleId === result.cycleId && !record.event.endsWith(".attest"))
    .map((record) => record.event.slice(record.event.indexOf(".") + 1))
    .join(",");
  for (const witness of roles.witnesses) {
    const confirmed = ask.interactive
      ? await ask.confirm(
          `Witness ${witness}: did you watch ${steps} of this ceremony (material check value ${result.checkValue}, key material id ${result.keyMaterialId ?? "-"})?`,
          false,
        )
      : undefined;
    await ports.journal({
      event: "ceremony.attest",
      outcome: confirmed === false ? "failed" : "ok",
      keyArn: result.keyArn,
      cycleId: result.cycleId,
      checkValue: result.checkValue,
      keyMaterialId: result.keyMaterialId,
      witness,
      steps,
      method:
        confirmed === undefined
          ? "named by --witness (not confirmed at a terminal)"
          : confirmed
            ? "confirmed at the terminal"
            : "declined at the terminal",
    });
  }
}

/** The key's newest closed ceremony cycle in the journal, if any. */
function completedCeremony(records: readonly JournalRecord[], keyArn: string): JournalRecord | undefined {
  return [...records]
    .reverse()
    .find(
      (record) => record.keyArn === keyArn && record.event === "ceremony.complete" && record.outcome === "ok",
    );
}

/** A prompt validator for a whole number in [min, max]. */
function countAnswer(min: number, max: number): (value: string) => true | string {
  return (value) => {
    const trimmed = value.trim();
    const number = Number(trimmed);
    return /^\d+$/.test(trimmed) && number >= min && number <= max
      ? true
      : `a whole number from ${min} to ${max}`;
  };
}

function requireFlags(flags: CeremonyFlags, options: GlobalOptions): void {
  const missing: [boolean, string][] = [
    [flags.key === undefined, "--key"],
    [flags.material === undefined, "--material"],
    [flags.escrowDir === undefined, "--escrow-dir"],
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

function expiryFromTag(validityDays: number | undefined, keyArn: string): MaterialExpiry {
  if (validityDays === undefined) {
    throw usageError(
      "missing --expires-in, --valid-to or --no-expiry",
      `${keyArn} has no keyplane:material-validity-days tag to default to`,
    );
  }
  return { kind: "expires-in", durationMs: Math.min(validityDays, MATERIAL_VALIDITY_DAYS.max) * DAY_MS };
}

async function askExpiry(ask: Ask, validityDays: number | undefined, now: Date): Promise<MaterialExpiry> {
  const initial = `${Math.min(validityDays ?? MATERIAL_VALIDITY_DAYS.max, MATERIAL_VALIDITY_DAYS.max)}d`;
  const parse = (value: string): MaterialExpiry => {
    if (value.trim() === "never") return { kind: "none" };
    const expiry = materialExpiryFromFlags({ expiresIn: value.trim() });
    if (!expiry) throw usageError("missing --expires-in");
    expiryFields(expiry, now);
    return expiry;
  };
  const answer = await ask.input(
    "--expires-in",
    "Material expires in (e.g. 180d, at most 365d, or 'never')",
    {
      initial,
      validate: (value) => {
        try {
          parse(value);
          return true;
        } catch (error) {
          return error instanceof KeyplaneError ? error.message : "like 180d, or never";
        }
      },
    },
  );
  return parse(answer);
}

/** Each custodian types their passphrase twice: a typo in a sealing passphrase would lose the share. */
function assertOnePassphrasePerShare(files: readonly string[], shares: number): void {
  if (files.length !== shares) {
    throw usageError(`--passphrase-file: give one per escrow share (${shares}), got ${files.length}`);
  }
}

/** `--passphrase-file`: the first line of each file seals the share of the same position. */
function readPassphraseFiles(files: readonly string[], shares: number): string[] {
  assertOnePassphrasePerShare(files, shares);
  return files.map((file) => {
    const content = readInputFile(file, { field: "--passphrase-file", kind: "passphrase" });
    const line = content.toString("utf8").split(/\r?\n/, 1)[0] ?? "";
    content.fill(0);
    if (line === "") throw usageError(`--passphrase-file ${file}: the first line is empty`);
    return line;
  });
}

async function askPassphrases(ask: Ask, shares: number): Promise<string[]> {
  const passphrases: string[] = [];
  for (let index = 1; index <= shares; index += 1) {
    for (;;) {
      const first = await ask.secret(
        "--escrow-dir",
        `Passphrase of custodian ${index} (seals share ${index})`,
        (value) => (value.length >= 8 ? true : "at least 8 characters"),
      );
      const again = await ask.secret("--escrow-dir", `Passphrase of custodian ${index}, again`);
      if (first === again) {
        passphrases.push(first);
        break;
      }
      ask.tell(`The two passphrases of custodian ${index} differ; type them again.`);
    }
  }
  return passphrases;
}

function describeExpiry(expiry: MaterialExpiry): string {
  if (expiry.kind === "none") return "never";
  if (expiry.kind === "valid-to") return expiry.validTo.toISOString();
  return `${Math.round(expiry.durationMs / DAY_MS)} days after import`;
}

function printResult(
  options: GlobalOptions,
  result: MaterialFlowResult,
  journalFile: string,
  componentCheckValues: readonly string[],
): void {
  const output = { ...result, componentCheckValues, journal: journalFile, steps: [...FLOW_STEPS] };
  if (options.output === "json") {
    process.stdout.write(renderJson(output));
    return;
  }
  process.stdout.write(
    [
      `key            ${result.keyArn}`,
      `check value    ${result.checkValue}`,
      ...componentCheckValues.map((value, i) => `component ${i + 1}    ${value}`),
      `material id    ${result.keyMaterialId ?? "-"}`,
      `verified by    ${describeVerification(result.verified)}`,
      `expires        ${result.validTo ?? "never"}`,
      `escrow shares  ${result.escrowFiles.length > 0 ? result.escrowFiles.join(", ") : "(written in an earlier run)"}`,
      ...(result.resumed.length > 0
        ? [`finished       ${result.resumed.join(", ")} of an interrupted run`]
        : []),
      `journal        ${journalFile}`,
      "",
    ].join("\n"),
  );
}
