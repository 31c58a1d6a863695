/**
 * What an existing key says about its purpose: classifications, applications and services, each with where
 * it was read (a tag, an alias, a key policy condition or a grant). Keys made by hand seldom carry keyplane's
 * tags, so generic tag names and alias words count too; keyplane's own alias shape
 * `alias/<plan>/<application>/<classification>/<service>` is read segment by segment.
 */
import { ALL_SERVICES, TAG } from "../vocabulary/tags";
import type { AuditedKey } from "./model";
import { statementsOf } from "./policy-statements";

export interface Facet {
  value: string;
  /** Where it was read, for the evidence: `tag keyplane:service`, `alias alias/x`, ... */
  source: string;
}

/** Words that name a data classification in aliases written by hand. */
const CLASSIFICATION_WORDS = new Set([
  "public",
  "internal",
  "confidential",
  "restricted",
  "secret",
  "sensitive",
]);
/** Words that name an AWS service in aliases written by hand. */
const SERVICE_WORDS = new Set([
  "s3",
  "rds",
  "sqs",
  "sns",
  "ebs",
  "efs",
  "dynamodb",
  "lambda",
  "secretsmanager",
  "kinesis",
  "logs",
  "backup",
]);

const CLASSIFICATION_TAGS = [
  TAG.classification,
  "classification",
  "data-classification",
  "dataclassification",
];
const APPLICATION_TAGS = [TAG.application, "application", "app"];
const SERVICE_TAGS = [TAG.service, "service"];

function tagFacets(key: AuditedKey, names: readonly string[]): Facet[] {
  return Object.entries(key.tags)
    .filter(([name, value]) => names.includes(name.toLowerCase()) && value !== "")
    .map(([name, value]) => ({ value: value.toLowerCase(), source: `tag ${name}` }));
}

/** `alias/<plan>/<application>/<classification>/<service>`, keyplane's shape, or undefined. */
function keyplaneAlias(
  alias: string,
): { application: string; classification: string; service: string } | undefined {
  const parts = alias.split("/");
  if (parts.length !== 5 || !parts[3] || !CLASSIFICATION_WORDS.has(parts[3])) return undefined;
  return { application: parts[2] ?? "", classification: parts[3], service: parts[4] ?? "" };
}

function aliasWords(alias: string): string[] {
  return alias
    .slice("alias/".length)
    .toLowerCase()
    .split(/[/_.-]/);
}

export function classificationsOf(key: AuditedKey): Facet[] {
  const fromAliases = key.aliases.flatMap((alias) => {
    const shaped = keyplaneAlias(alias);
    const words = shaped
      ? [shaped.classification]
      : aliasWords(alias).filter((w) => CLASSIFICATION_WORDS.has(w));
    return words.map((value) => ({ value, source: `alias ${alias}` }));
  });
  return [...tagFacets(key, CLASSIFICATION_TAGS), ...fromAliases];
}

export function applicationsOf(key: AuditedKey): Facet[] {
  const fromAliases = key.aliases.flatMap((alias) => {
    const shaped = keyplaneAlias(alias);
    return shaped ? [{ value: shaped.application, source: `alias ${alias}` }] : [];
  });
  return [...tagFacets(key, APPLICATION_TAGS), ...fromAliases];
}

/** `s3.us-east-1.amazonaws.com` -> `s3`. */
function serviceOfEndpoint(endpoint: string): string {
  return endpoint.toLowerCase().split(".")[0] ?? endpoint;
}

export function servicesOf(key: AuditedKey): Facet[] {
  const fromTags = tagFacets(key, SERVICE_TAGS).filter((facet) => facet.value !== ALL_SERVICES);
  const fromAliases = key.aliases.flatMap((alias) => {
    const shaped = keyplaneAlias(alias);
    const words = shaped
      ? [shaped.service].filter((service) => service !== "shared" && service !== "all")
      : aliasWords(alias).filter((w) => SERVICE_WORDS.has(w));
    return words.map((value) => ({ value, source: `alias ${alias}` }));
  });
  const fromPolicy = statementsOf(key.policy).flatMap((statement) =>
    statement.viaServices.map((endpoint) => ({
      value: serviceOfEndpoint(endpoint),
      source: `key policy kms:ViaService${statement.sid ? ` (${statement.sid})` : ""}`,
    })),
  );
  const fromGrants = key.grants.flatMap((grant) => {
    const grantee = grant.GranteePrincipal ?? "";
    return grantee.endsWith(".amazonaws.com")
      ? [{ value: serviceOfEndpoint(grantee), source: `grant ${grant.GrantId ?? ""}`.trim() }]
      : [];
  });
  return [...fromTags, ...fromAliases, ...fromPolicy, ...fromGrants];
}

/** Distinct values, each with the sources that name it: `restricted (alias alias/x), internal (tag ...)`. */
export function distinctFacets(facets: readonly Facet[]): Map<string, string[]> {
  const byValue = new Map<string, string[]>();
  for (const facet of facets) byValue.set(facet.value, [...(byValue.get(facet.value) ?? []), facet.source]);
  return byValue;
}

export function describeFacets(byValue: ReadonlyMap<string, readonly string[]>): string {
  return [...byValue].map(([value, sources]) => `${value} (${sources.join(", ")})`).join("; ");
}

/** Whether the key says it is shared across services on purpose (a plan's shareAcrossServices). */
export function sharedAcrossServicesByPlan(key: AuditedKey): boolean {
  return key.tags[TAG.service] === ALL_SERVICES;
}
