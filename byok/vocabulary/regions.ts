/**
 * AWS Region names. The CLI checks their form (so `bogus`, `US-EAST-1` or an empty entry fail at once
 * instead of as a DNS error); the plan linter also warns about a well-formed name no partition lists,
 * since a Region launched after this keyplane version must stay usable.
 */
import { usageError } from "../errors";

/** Lower-case partition prefix, words, a number: us-east-1, us-gov-west-1, ap-southeast-7. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * The Regions of the aws, aws-cn, aws-us-gov and aws-iso* partitions known to the pinned AWS SDK
 * (@aws-sdk/core 3.1164, util-endpoints partitions).
 */
export const KNOWN_REGIONS: ReadonlySet<string> = new Set([
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "cn-north-1",
  "cn-northwest-1",
  "eu-central-1",
  "eu-central-2",
  "eu-isoe-west-1",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "me-west-1",
  "mx-central-1",
  "sa-east-1",
  "sa-west-1",
  "us-east-1",
  "us-east-2",
  "us-gov-east-1",
  "us-gov-west-1",
  "us-iso-east-1",
  "us-iso-west-1",
  "us-isob-east-1",
  "us-isob-west-1",
  "us-isof-east-1",
  "us-isof-south-1",
  "us-west-1",
  "us-west-2",
]);

/** One Region name from `field`; a malformed one is a usage error. */
export function parseRegion(text: string, field: string): string {
  if (!REGION_PATTERN.test(text)) {
    throw usageError(`${field}: expected a region name like us-east-1, got '${text}'`);
  }
  return text;
}

/** `a,b,c`: each a Region name, none empty, none twice. */
export function parseRegionList(text: string, field: string): string[] {
  const list = text.split(",").map((region) => region.trim());
  if (text.trim() === "")
    throw usageError(`${field}: expected a comma-separated list like us-east-1,eu-west-1`);
  const seen = new Set<string>();
  for (const region of list) {
    if (region === "")
      throw usageError(`${field}: an empty entry in '${text}' (expected us-east-1,eu-west-1)`);
    parseRegion(region, field);
    if (seen.has(region)) throw usageError(`${field}: '${region}' is listed twice`);
    seen.add(region);
  }
  return list;
}
