import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { parse, stringify } from "yaml";
import { type AdoptDraft, draftAdoption, type KeyMapping } from "../../byok/audit/adopt-draft";
import { readKeysOf } from "../../byok/audit/run";
import { invalidInput, KeyplaneError, usageError } from "../../byok/errors";
import { clientRegion, createKmsClient } from "../../byok/kms/client";
import { SERVICE_IDS } from "../../stacks/policy/services";
import { globalOptions } from "../global-options";
import { renderJson, say } from "../output";
import type { AdoptFlags } from "./adopt";

const PLAN_NAME = /^[a-z][a-z0-9-]{0,30}$/;

export async function runAdopt(flags: AdoptFlags, command: Command): Promise<void> {
  const options = globalOptions(command);
  if (!flags.out) throw usageError("missing --out DIR");
  if (flags.name !== undefined && !PLAN_NAME.test(flags.name)) {
    throw usageError(`--name: expected lower-case letters, digits and dashes, got '${flags.name}'`);
  }
  const planFile = join(flags.out, "keyplan.yaml");
  if (existsSync(planFile) && !options.yes) {
    throw usageError(`${planFile} exists`, "pass --yes to draft it again (after filling adopt-mapping.yaml)");
  }
  const mappings = readMappings(join(flags.out, "adopt-mapping.yaml"));
  const probe = createKmsClient(options);
  const region = await clientRegion(probe).finally(() => probe.destroy());
  const { account, keys } = await readKeysOf({ ...options, region });
  const tagged = keys.map((key) => key.tags["keyplane:plan"]).find((plan) => plan && PLAN_NAME.test(plan));
  const draft = draftAdoption(keys, {
    plan: flags.name ?? tagged ?? "adopted",
    account,
    region,
    isKnownService: (service) => (SERVICE_IDS as readonly string[]).includes(service),
    mappings,
  });
  mkdirSync(flags.out, { recursive: true });
  writeFileSync(planFile, planYaml(draft));
  writeFileSync(join(flags.out, "adopt.json"), `${JSON.stringify(adoptJson(draft), null, 2)}\n`);
  writeFileSync(join(flags.out, "adopt-mapping.yaml"), mappingYaml(draft));
  const summary = {
    plan: planFile,
    adopted: draft.adopted.length,
    unmapped: draft.unmapped.length,
    guesses: draft.adopted.reduce((sum, key) => sum + key.guesses.length, 0),
  };
  if (options.output === "json") process.stdout.write(renderJson(summary));
  else {
    process.stdout.write(`${planFile}\n`);
    say(
      `${summary.adopted} key(s) adopted (${summary.guesses} guess(es) marked in keyplan.yaml), ` +
        `${summary.unmapped} left in adopt-mapping.yaml`,
    );
  }
}

function readMappings(file: string): KeyMapping[] {
  if (!existsSync(file)) return [];
  let document: unknown;
  try {
    document = parse(readFileSync(file, "utf8"));
  } catch {
    throw invalidInput(`${file}: not YAML`);
  }
  const keys = (document as { keys?: unknown } | null)?.keys ?? [];
  if (!Array.isArray(keys)) throw invalidInput(`${file}: keys: expected a list`);
  return keys.map((entry, index) => {
    const item = entry as Record<string, unknown>;
    if (typeof item?.keyArn !== "string")
      throw invalidInput(`${file}: keys[${index}].keyArn: expected a key ARN`);
    const mapping: KeyMapping = { keyArn: item.keyArn };
    for (const field of ["classification", "application", "service"] as const) {
      const value = item[field];
      if (value === undefined || value === null || value === "") continue;
      if (typeof value !== "string" || !/^[a-z0-9][a-z0-9-]*$/.test(value)) {
        throw invalidInput(
          `${file}: keys[${index}].${field}: expected a lower-case name, got ${JSON.stringify(value)}`,
        );
      }
      mapping[field] = value;
    }
    return mapping;
  });
}

const q = (text: string) => JSON.stringify(text);

/** The draft plan as YAML text, so that each guess carries its comment where it is made. */
function planYaml(draft: AdoptDraft): string {
  if (draft.adopted.length === 0) {
    throw new KeyplaneError("INVALID_INPUT", `no key of ${draft.account} ${draft.region} could be mapped`, {
      hint: "fill the classification, application and service of each key in adopt-mapping.yaml and rerun",
    });
  }
  const lines = [
    `# Drafted by keyplane adopt from account ${draft.account}, ${draft.region}. Review every line marked "guess".`,
    "version: 1",
    `name: ${draft.plan}`,
    "management: centralized",
    `region: ${draft.region}`,
    `accounts: { security: ${q(draft.account)} }`,
    `administrators: [${q(`arn:aws:iam::${draft.account}:role/KeyAdmin`)}]  # guess: the roles that administer keys`,
    "classifications:",
    ...Object.entries(draft.rotationDays)
      .sort()
      .map(([name, days]) => `  ${name}: { rotationDays: ${days} }`),
    "applications:",
  ];
  const applications = [...new Set(draft.adopted.map((key) => key.application))].sort();
  for (const application of applications) {
    const keys = draft.adopted.filter((key) => key.application === application);
    lines.push(
      `  ${application}:`,
      `    account: ${q(draft.account)}  # guess: the account of ${application}'s users`,
      `    users: [${q(`arn:aws:iam::${draft.account}:role/${application}`)}]  # guess: the roles that use its keys`,
      "    data:",
    );
    const classifications = [...new Set(keys.map((key) => key.classification))].sort();
    for (const classification of classifications) {
      const services = keys.filter((key) => key.classification === classification);
      const guesses = services.flatMap((key) => key.guesses.map((guess) => `${key.keyId}: ${guess}`));
      const comment = guesses.length > 0 ? `  # guess: ${guesses.join("; ")}` : "";
      lines.push(`      ${classification}: [${services.map((key) => key.service).join(", ")}]${comment}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function adoptJson(draft: AdoptDraft) {
  return {
    version: 1,
    account: draft.account,
    region: draft.region,
    keys: draft.adopted.map((key) => ({
      alias: key.alias,
      keyId: key.keyId,
      keyArn: key.keyArn,
      existingAliases: key.existingAliases,
      guesses: key.guesses,
    })),
  };
}

function mappingYaml(draft: AdoptDraft): string {
  const header =
    "# Keys keyplane adopt could not map. Fill classification, application and service (one each) and rerun\n" +
    "# keyplane adopt --out DIR --yes; a key that serves several must be split first.\n";
  return header + stringify({ keys: draft.unmapped });
}
