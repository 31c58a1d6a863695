import { ListAliasesCommand } from "@aws-sdk/client-kms";
import type { Command } from "commander";
import { usageError } from "../../byok/errors";
import { type MaterialExpiry, materialExpiryFromFlags } from "../../byok/import/expiry-option";
import { assertExternalKey } from "../../byok/import/parameters";
import { createKmsClient } from "../../byok/kms/client";
import { listTags } from "../../byok/kms/list-keys";
import { resolveKey } from "../../byok/kms/resolve-key";
import { buildCeremonyScript, type ScriptInput } from "../../byok/report/ceremony-script";
import { type CeremonyRoles, roleFields } from "../../byok/report/roles";
import { DAY_MS, MATERIAL_VALIDITY_DAYS } from "../../byok/vocabulary/kms-limits";
import { parseKeyplaneTags } from "../../byok/vocabulary/tags";
import { wrappingChoices } from "../../byok/vocabulary/wrapping";
import { assertThreshold } from "../flags";
import { globalOptions } from "../global-options";
import { parseMaterialSource } from "../prompts/material-source";
import { renderScriptHtml } from "../render/script-html";
import { documentFormat, writeDocument } from "../render/write-document";
import type { ScriptFlags } from "./byok-script";
import { givenRoles } from "./byok-script-roles";

/** Reads the key from KMS and writes the printable script; nothing is imported or journaled. */
export async function runScriptCommand(flags: ScriptFlags, command: Command): Promise<void> {
  const options = globalOptions(command);
  documentFormat(flags.out);
  const source = parseMaterialSource(flags.material ?? "generate");
  const givenAlgorithm = flags.wrappingAlgorithm;
  const givenSpec = flags.wrappingKeySpec;
  const givenImportType = flags.importType;
  const expiry = materialExpiryFromFlags({
    expiresIn: flags.expiresIn,
    validTo: flags.validTo,
    noExpiry: flags.expiry === false,
  });
  const shares = flags.escrowShares;
  const threshold = flags.escrowThreshold;
  assertThreshold(threshold, shares, { threshold: "--escrow-threshold", shares: "--escrow-shares" });
  const roles = givenRoles(flags);

  const client = createKmsClient(options);
  try {
    const metadata = await resolveKey(client, flags.key);
    const keySpec = assertExternalKey(metadata, flags.key);
    const keyArn = metadata.Arn ?? flags.key;
    const tags = parseKeyplaneTags(await listTags(client, keyArn));
    const { Aliases } = await client.send(new ListAliasesCommand({ KeyId: metadata.KeyId }));
    const choice =
      wrappingChoices(keySpec).find(
        (option) =>
          (givenAlgorithm === undefined || option.algorithm === givenAlgorithm) &&
          (givenSpec === undefined || option.wrappingKeySpec === givenSpec),
      ) ?? undefined;
    if (!choice)
      throw usageError(`--wrapping-algorithm: no wrapping choice of this kind can carry ${keySpec} material`);
    const importType =
      givenImportType ??
      (metadata.KeyState === "PendingImport" && !metadata.CurrentKeyMaterialId ? "new" : "existing");
    const journal = options.journal ?? "keyplane-journal.jsonl";
    const input: ScriptInput = {
      keyArn,
      aliases: (Aliases ?? [])
        .map((alias) => alias.AliasName ?? "")
        .filter((name) => name !== "")
        .sort(),
      classification: tags.classification ?? "",
      keySpec,
      keyState: metadata.KeyState ?? "",
      wrappingAlgorithm: choice.algorithm,
      wrappingKeySpec: choice.wrappingKeySpec,
      expiry: expiryText(expiry, tags.materialValidityDays),
      importType,
      materialSource: source.kind,
      components: source.kind === "components" ? Math.max(roles.custodians.length, 2) : 0,
      escrow: { shares, threshold, dir: flags.escrowDir ?? "escrow" },
      journal,
      roles,
      command: ceremonyCommand(flags, keyArn, choice, expiry, tags.materialValidityDays, journal, roles),
    };
    await writeDocument(flags.out, renderScriptHtml(buildCeremonyScript(input), new Date()));
    process.stdout.write(`script  ${flags.out}\nkey     ${keyArn}\n`);
  } finally {
    client.destroy();
  }
}

function expiryText(expiry: MaterialExpiry | undefined, validityDays: number | undefined): string {
  if (expiry?.kind === "none") return "never";
  if (expiry?.kind === "valid-to") return expiry.validTo.toISOString();
  const days = expiry
    ? Math.round(expiry.durationMs / DAY_MS)
    : Math.min(validityDays ?? MATERIAL_VALIDITY_DAYS.max, MATERIAL_VALIDITY_DAYS.max);
  return `${days} days after import`;
}

/** The ceremony's command line for the operator to type; names and public facts only. */
function ceremonyCommand(
  flags: ScriptFlags,
  keyArn: string,
  choice: { algorithm: string; wrappingKeySpec: string },
  expiry: MaterialExpiry | undefined,
  validityDays: number | undefined,
  journal: string,
  roles: CeremonyRoles,
): string {
  const expiryFlag =
    expiry?.kind === "none"
      ? "--no-expiry"
      : expiry?.kind === "valid-to"
        ? `--valid-to ${expiry.validTo.toISOString()}`
        : `--expires-in ${expiry ? Math.round(expiry.durationMs / DAY_MS) : Math.min(validityDays ?? MATERIAL_VALIDITY_DAYS.max, MATERIAL_VALIDITY_DAYS.max)}d`;
  const quote = (value: string) =>
    /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
  const roleFlags = Object.entries(roleFields(roles)).flatMap(([name, value]) =>
    name === "custodians"
      ? value.split(",").flatMap((custodian) => ["--custodian", quote(custodian)])
      : name === "witnesses"
        ? value.split(",").flatMap((witness) => ["--witness", quote(witness)])
        : [`--${name}`, quote(value)],
  );
  return [
    "keyplane --journal",
    quote(journal),
    "byok ceremony --key",
    keyArn,
    "--material",
    quote(flags.material ?? "generate"),
    "--wrapping-algorithm",
    choice.algorithm,
    "--wrapping-key-spec",
    choice.wrappingKeySpec,
    expiryFlag,
    "--escrow-dir",
    quote(flags.escrowDir ?? "escrow"),
    "--escrow-shares",
    String(flags.escrowShares),
    "--escrow-threshold",
    String(flags.escrowThreshold),
    ...roleFlags,
  ].join(" ");
}
