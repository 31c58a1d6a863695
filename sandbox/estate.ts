/**
 * What the principals file may add about the estate around its accounts (optional fields, DESIGN.md,
 * Sandbox): which account manages the organization, which accounts are suspended, which opt-in Regions are
 * enabled. Organizations `ListAccounts` (organizations.ts) and Account `ListRegions` (account-regions.ts)
 * answer from it.
 */
import { z } from "zod";
import { KNOWN_REGIONS, REGION_PATTERN } from "../byok/vocabulary/regions";

/**
 * The Regions every account of the aws partition has enabled, without opting in (AWS Account API
 * `ENABLED_BY_DEFAULT`): https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html
 */
export const DEFAULT_REGIONS: readonly string[] = [
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ca-central-1",
  "eu-central-1",
  "eu-north-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
];

/** The aws partition's other Regions, known to the pinned SDK: disabled until an account opts in. */
export const OPT_IN_REGIONS: readonly string[] = [...KNOWN_REGIONS]
  .filter((region) => !/^(cn|us-gov|us-iso[a-z]*|eu-isoe)-/.test(region) && !DEFAULT_REGIONS.includes(region))
  .sort();

const accountId = z.string().regex(/^\d{12}$/, "expected a 12-digit account id");

/** The principals file's optional fields, merged into its schema. */
export const estateFields = {
  organization: z
    .strictObject({
      /** Default: the account of the file's first principal. */
      managementAccount: accountId.optional(),
      /** Listed with status SUSPENDED (closed accounts stay so for 90 days), with or without principals. */
      suspendedAccounts: z.array(accountId).default([]),
    })
    .optional(),
  /** Opt-in Regions enabled in every account, beside those AWS enables by default. */
  optInRegions: z
    .array(
      z
        .string()
        .regex(REGION_PATTERN, "expected a Region name such as af-south-1")
        .refine(
          (region) => OPT_IN_REGIONS.includes(region),
          "expected an opt-in Region of the aws partition",
        ),
    )
    .optional(),
};

export interface Estate {
  managementAccount: string;
  suspendedAccounts: readonly string[];
  optInRegions: readonly string[];
}
