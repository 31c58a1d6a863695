/**
 * The key plan (keyplan.yaml, version 1; DESIGN.md) as a zod schema. Every object is strict, so a typo is
 * an error rather than a silently ignored field. Cross-field rules (which need the whole plan) live in
 * check-references.ts.
 */
import { z } from "zod";
import { KEY_SPECS, KEY_USAGES } from "../../byok/vocabulary/key-specs";
import {
  DELETION_WINDOW_DAYS,
  EXPIRY_WARNING_DAYS,
  MATERIAL_VALIDITY_DAYS,
  ROTATION_DAYS,
} from "../../byok/vocabulary/kms-limits";
import { SERVICE_IDS } from "../policy/services";

export const COMPLIANCE_PROFILES = ["baseline", "pci-dss", "hipaa", "fedramp-moderate", "cis-aws"] as const;
export type ComplianceProfile = (typeof COMPLIANCE_PROFILES)[number];

/** A strict object whose unknown-field error lists the fields it knows. */
function strict<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? `unknown field (known: ${known})` : undefined),
  });
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const name = (what: string) =>
  z.string({ error: `expected ${what} as a string` }).regex(NAME, {
    error: `expected ${what}: lower-case letters, digits and '-', starting with a letter`,
  });
const account = z
  .string({ error: "expected a 12-digit AWS account id in quotes" })
  .regex(/^\d{12}$/, { error: "expected a 12-digit AWS account id" });
const region = z
  .string({ error: "expected an AWS region such as us-east-1" })
  .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "expected an AWS region such as us-east-1" });
/** An IAM principal ARN; `*` is accepted here so the guardrail can name it and its fix. */
const principal = z
  .string({ error: "expected an IAM principal ARN" })
  .regex(/^(\*|arn:aws[a-z-]*:iam::\d{12}:(root|role\/.+|user\/.+))$/, {
    error: "expected an IAM principal ARN (arn:aws:iam::<account>:role/<name>)",
  });
const principals = z.array(principal, { error: "expected a list of IAM principal ARNs" });
const days = (min: number, max: number, what: string) =>
  z
    .number({ error: `expected ${what} as a whole number of days` })
    .int({ error: `expected ${what} as a whole number of days` })
    .min(min, { error: `expected ${what} between ${min} and ${max} days` })
    .max(max, { error: `expected ${what} between ${min} and ${max} days` });
const flag = (what: string) => z.boolean({ error: `expected true or false (${what})` });

export const classificationSchema = strict({
  /** `aws-managed`: no key is created; the service's AWS managed key (aws/s3, ...) serves. */
  keys: z
    .enum(["aws-managed", "customer-managed"], { error: "expected aws-managed or customer-managed" })
    .optional(),
  origin: z.enum(["aws", "external"], { error: "expected aws or external" }).optional(),
  keySpec: z.enum(KEY_SPECS, { error: `expected a key spec (${KEY_SPECS.join(", ")})` }).optional(),
  keyUsage: z.enum(KEY_USAGES, { error: `expected a key usage (${KEY_USAGES.join(", ")})` }).optional(),
  rotationDays: days(ROTATION_DAYS.min, ROTATION_DAYS.max, "rotationDays").optional(),
  materialValidityDays: days(
    MATERIAL_VALIDITY_DAYS.min,
    MATERIAL_VALIDITY_DAYS.max,
    "materialValidityDays",
  ).optional(),
  deletionWindowDays: days(
    DELETION_WINDOW_DAYS.min,
    DELETION_WINDOW_DAYS.max,
    "deletionWindowDays",
  ).optional(),
  shareAcrossServices: flag("shareAcrossServices").optional(),
  multiRegion: flag("multiRegion").optional(),
});

export const applicationSchema = strict({
  account,
  users: principals,
  data: z.record(
    z.string(),
    z
      .array(z.enum(SERVICE_IDS, { error: `unknown service (known: ${SERVICE_IDS.join(", ")})` }), {
        error: "expected a list of services such as [s3, rds]",
      })
      .min(1, { error: "expected at least one service" }),
    { error: "expected a map of classification -> services, e.g. { internal: [sqs] }" },
  ),
});

export const planSchema = strict({
  version: z.literal(1, { error: "expected 1 (the only key plan version)" }),
  name: name("a plan name"),
  management: z.enum(["centralized", "decentralized"], { error: "expected centralized or decentralized" }),
  region,
  replicaRegions: z.array(region, { error: "expected a list of AWS regions" }).default([]),
  accounts: strict({ security: account }),
  administrators: principals,
  custodians: principals.default([]),
  compliance: z
    .array(
      z.enum(COMPLIANCE_PROFILES, { error: `unknown profile (known: ${COMPLIANCE_PROFILES.join(", ")})` }),
      {
        error: "expected a list of compliance profiles",
      },
    )
    .default([]),
  budget: strict({
    maxKeys: z
      .number({ error: "expected a positive whole number" })
      .int({ error: "expected a positive whole number" })
      .positive({ error: "expected a positive whole number" }),
  }).optional(),
  monitoring: flag("monitoring").default(true),
  alerts: strict({
    email: z
      .array(z.email({ error: "expected an e-mail address" }), {
        error: "expected a list of e-mail addresses",
      })
      .default([]),
    expiryWarningDays: days(EXPIRY_WARNING_DAYS.min, EXPIRY_WARNING_DAYS.max, "expiryWarningDays").default(
      EXPIRY_WARNING_DAYS.default,
    ),
  }).optional(),
  iamDelegation: flag("iamDelegation").default(false),
  /** The role each stack's provider assumes in the account holding its keys (the security account, or each application account). */
  deployRole: z
    .string({ error: "expected an IAM role name" })
    .regex(/^[\w+=,.@-]{1,64}$/, { error: "expected an IAM role name" })
    .default("KeyplaneDeploy"),
  /** Key policies as their own aws_kms_key_policy resources (breaks key <-> principal dependency loops). */
  policyAsResource: flag("policyAsResource").default(false),
  backend: strict({
    /** Local state files in this folder, relative to the plan file. */
    local: strict({
      dir: z
        .string({ error: "expected a folder for the state files" })
        .min(1, { error: "expected a folder" }),
    }).optional(),
    s3: strict({
      bucket: z.string({ error: "expected an S3 bucket name" }).regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
        error: "expected an S3 bucket name",
      }),
      key: z.string({ error: "expected an S3 key prefix" }).min(1, { error: "expected an S3 key prefix" }),
      region,
      useLockfile: flag("useLockfile").default(true),
    }).optional(),
  }).optional(),
  suppress: z
    .array(
      strict({
        rule: z.string({ error: "expected a rule id such as KP-ROTATION" }),
        path: z
          .string({ error: "expected a construct path (wildcards: *)" })
          .min(1, { error: "expected a construct path" }),
        reason: z
          .string({ error: "expected the reason for the suppression" })
          .trim()
          .min(10, { error: "expected a reason of at least 10 characters" }),
      }),
      { error: "expected a list of { rule, path, reason }" },
    )
    .default([]),
  classifications: z
    .record(name("a classification name"), classificationSchema, {
      error: "expected a map of classification name -> settings",
    })
    .refine((value) => Object.keys(value).length > 0, { error: "expected at least one classification" }),
  applications: z
    .record(name("an application name"), applicationSchema, {
      error: "expected a map of application name -> settings",
    })
    .refine((value) => Object.keys(value).length > 0, { error: "expected at least one application" }),
});

export type KeyPlan = z.output<typeof planSchema>;
export type ClassificationSettings = z.output<typeof classificationSchema>;
export type ApplicationSettings = z.output<typeof applicationSchema>;
