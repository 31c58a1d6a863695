/**
 * `keyplane adopt`: from the keys of one account and Region, a draft key plan and the list of existing keys
 * that `keyplane synth --adopt` imports (Terraform `import {}` blocks) instead of creating. Pure.
 *
 * Each key needs one classification, application and service, read from its tags first (certain), else from
 * its aliases, key policy and grants (a guess, marked in the plan). A key that names several, or none, or the
 * same triple as another key, goes to the mapping file for a person to decide; so do keys keyplane's stacks
 * would not create as they are (only symmetric encryption keys with KMS-generated material are adopted).
 */
import { ROTATION_DAYS } from "../vocabulary/kms-limits";
import { ALL_SERVICES } from "../vocabulary/tags";
import { applicationsOf, classificationsOf, distinctFacets, type Facet, servicesOf } from "./facets";
import type { AuditedKey } from "./model";

export interface AdoptedKey {
  keyId: string;
  keyArn: string;
  classification: string;
  application: string;
  service: string;
  /** The alias keyplane's stacks give this key: `alias/<plan>/<application>/<classification>/<service>`. */
  alias: string;
  existingAliases: string[];
  /** Facets read from aliases, policy or grants rather than tags: `classification from alias alias/x`. */
  guesses: string[];
}

export interface UnmappedKey {
  keyArn: string;
  aliases: string[];
  reason: string;
  /** What was read, for the person filling the mapping. */
  classification: string;
  application: string;
  service: string;
}

/** A person's answer for a key adopt could not map: adopt reads it back on the next run. */
export interface KeyMapping {
  keyArn: string;
  classification?: string;
  application?: string;
  service?: string;
}

export interface AdoptDraft {
  plan: string;
  account: string;
  region: string;
  adopted: AdoptedKey[];
  unmapped: UnmappedKey[];
  /** Rotation days per classification: the shortest tagged or configured period of its keys. */
  rotationDays: Record<string, number>;
}

export interface AdoptOptions {
  plan: string;
  account: string;
  region: string;
  isKnownService: (service: string) => boolean;
  mappings?: readonly KeyMapping[];
}

interface Pick {
  value?: string;
  guess?: string;
  problem?: string;
}

function pickOne(what: string, facets: readonly Facet[], mapped: string | undefined): Pick {
  if (mapped) return { value: mapped };
  const byValue = distinctFacets(facets);
  if (byValue.size === 0) return { problem: `no ${what}` };
  if (byValue.size > 1)
    return { problem: `several ${what}s (${[...byValue.keys()].join(", ")}): split the key` };
  const [value, sources] = [...byValue][0] ?? ["", []];
  const tagged = sources.some((source) => source.startsWith("tag "));
  return tagged ? { value } : { value, guess: `${what} from ${sources[0]}` };
}

function adoptable(key: AuditedKey): string | undefined {
  const { metadata } = key;
  if (metadata.KeyState !== "Enabled" && metadata.KeyState !== "Disabled")
    return `key state ${metadata.KeyState}`;
  if (metadata.Origin !== "AWS_KMS")
    return `origin ${metadata.Origin}: adopt symmetric keys with KMS material first`;
  if (metadata.KeySpec !== "SYMMETRIC_DEFAULT" || metadata.KeyUsage !== "ENCRYPT_DECRYPT") {
    return `${metadata.KeySpec} ${metadata.KeyUsage}: keyplane's stacks would create another kind of key`;
  }
  if (metadata.MultiRegion) return "multi-Region key: adopt it by hand";
  return undefined;
}

export function draftAdoption(keys: readonly AuditedKey[], options: AdoptOptions): AdoptDraft {
  const adopted: AdoptedKey[] = [];
  const unmapped: UnmappedKey[] = [];
  const rotationDays: Record<string, number> = {};
  const taken = new Set<string>();
  const mappings = new Map((options.mappings ?? []).map((mapping) => [mapping.keyArn, mapping]));
  for (const key of [...keys].sort((a, b) => a.arn.localeCompare(b.arn))) {
    const mapping = mappings.get(key.arn);
    const classification = pickOne("classification", classificationsOf(key), mapping?.classification);
    const application = pickOne("application", applicationsOf(key), mapping?.application);
    // A key shared across services by a plan is per application and classification: adopted by hand.
    const service: Pick =
      key.tags["keyplane:service"] === ALL_SERVICES && !mapping?.service
        ? {
            problem: "shared across services (keyplane:service=*): map it to one service or adopt it by hand",
          }
        : pickOne("service", servicesOf(key), mapping?.service);
    const triple = `${application.value}/${classification.value}/${service.value}`;
    const problem =
      adoptable(key) ??
      classification.problem ??
      application.problem ??
      service.problem ??
      (service.value && !options.isKnownService(service.value)
        ? `service '${service.value}' is not one keyplane knows`
        : undefined) ??
      (taken.has(triple) ? `another key is already ${triple}: merge or retire one` : undefined);
    if (problem || !classification.value || !application.value || !service.value) {
      unmapped.push({
        keyArn: key.arn,
        aliases: [...key.aliases],
        reason: problem ?? "incomplete",
        classification: classification.value ?? "",
        application: application.value ?? "",
        service: service.value ?? "",
      });
      continue;
    }
    taken.add(triple);
    const period = key.rotation?.enabled ? key.rotation.periodDays : undefined;
    const tagged = Number(key.tags["keyplane:rotation-days"] ?? Number.NaN);
    const days = Number.isInteger(tagged) ? tagged : (period ?? ROTATION_DAYS.default);
    rotationDays[classification.value] = Math.min(rotationDays[classification.value] ?? days, days);
    adopted.push({
      keyId: key.metadata.KeyId ?? key.arn,
      keyArn: key.arn,
      classification: classification.value,
      application: application.value,
      service: service.value,
      alias: `alias/${options.plan}/${application.value}/${classification.value}/${service.value}`,
      existingAliases: [...key.aliases],
      guesses: [classification.guess, application.guess, service.guess].filter((g): g is string => !!g),
    });
  }
  return {
    plan: options.plan,
    account: options.account,
    region: options.region,
    adopted,
    unmapped,
    rotationDays,
  };
}
