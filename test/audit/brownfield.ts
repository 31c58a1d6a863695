/**
 * A seeded brownfield estate: keys made by hand in two accounts of a sandbox, each planting one pitfall that
 * `keyplane audit` must find (and the clean keys nothing). Created with the SDK as any other tool would,
 * never through keyplane. Run it with `--principals` (test/policies/principals.ts) so keys land in the
 * account of the caller.
 */

import { randomBytes } from "node:crypto";
import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  type KMSClient,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
} from "@aws-sdk/client-kms";
import { type PrincipalSandbox, startWithPrincipals } from "../policies/principals";
import { wrapForImport } from "../sandbox/wrap";

export const ACCOUNT_A = "111111111111";
export const ACCOUNT_B = "222222222222";
/** In the accounts file, but no role of the principals file: AssumeRole is refused. */
export const ACCOUNT_DENIED = "333333333333";
export const AUDIT_ROLE = "KeyplaneAudit";
export const CALLER_KEY = "AKIAAUDITORUSERA0001";
const ROLE_B_KEY = "AKIAAUDITROLEB000001";
export const BUDGET = 10;

export interface PlantedFinding {
  rule: string;
  keyArn: string;
}

export interface Brownfield {
  ps: PrincipalSandbox;
  /** Every finding the audit must report, and nothing else. */
  planted: PlantedFinding[];
}

const root = (account: string) => ({
  Sid: "Enable IAM User Permissions",
  Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${account}:root` },
  Action: "kms:*",
  Resource: "*",
});

const policy = (account: string, ...statements: object[]) =>
  JSON.stringify({ Version: "2012-10-17", Id: "brownfield", Statement: [root(account), ...statements] });

const tagsOf = (
  classification: string,
  application: string,
  service: string,
  extra: Record<string, string> = {},
) =>
  Object.entries({
    "keyplane:classification": classification,
    "keyplane:application": application,
    "keyplane:service": service,
    ...extra,
  }).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));

interface KeySeed {
  tags?: { TagKey: string; TagValue: string }[];
  policy?: string;
  aliases?: string[];
  rotationDays?: number;
  external?: boolean;
}

async function createKey(kms: KMSClient, seed: KeySeed): Promise<string> {
  const created = await kms.send(
    new CreateKeyCommand({
      ...(seed.policy ? { Policy: seed.policy } : {}),
      ...(seed.external ? { Origin: "EXTERNAL" as const } : {}),
    }),
  );
  const arn = created.KeyMetadata?.Arn ?? "";
  if (seed.tags) await kms.send(new TagResourceCommand({ KeyId: arn, Tags: seed.tags }));
  for (const alias of seed.aliases ?? []) {
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: arn }));
  }
  if (seed.rotationDays) {
    await kms.send(new EnableKeyRotationCommand({ KeyId: arn, RotationPeriodInDays: seed.rotationDays }));
  }
  return arn;
}

async function importMaterial(kms: KMSClient, arn: string, validTo: Date): Promise<void> {
  const params = await kms.send(
    new GetParametersForImportCommand({
      KeyId: arn,
      WrappingAlgorithm: "RSAES_OAEP_SHA_256",
      WrappingKeySpec: "RSA_2048",
    }),
  );
  const material = randomBytes(32);
  const wrapped = wrapForImport(params.PublicKey ?? new Uint8Array(), "RSAES_OAEP_SHA_256", material);
  material.fill(0);
  await kms.send(
    new ImportKeyMaterialCommand({
      KeyId: arn,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapped,
      ExpirationModel: "KEY_MATERIAL_EXPIRES",
      ValidTo: validTo,
    }),
  );
}

const DAY_MS = 86_400_000;
/** Tracking of last use starts at creation: the clock moves this far so that an idle key counts as unused. */
const ADVANCE_DAYS = 95;

export async function seedBrownfield(extraArgs: string[] = []): Promise<Brownfield> {
  const ps = await startWithPrincipals(
    [
      { arn: `arn:aws:iam::${ACCOUNT_A}:user/auditor`, accessKeyId: CALLER_KEY },
      { arn: `arn:aws:iam::${ACCOUNT_A}:role/${AUDIT_ROLE}`, accessKeyId: "AKIAAUDITROLEA000001" },
      { arn: `arn:aws:iam::${ACCOUNT_A}:role/KeyAdmin`, accessKeyId: "AKIAKEYADMINA0000001" },
      { arn: `arn:aws:iam::${ACCOUNT_A}:role/app`, accessKeyId: "AKIAAPPROLEA00000001" },
      { arn: `arn:aws:iam::${ACCOUNT_B}:role/${AUDIT_ROLE}`, accessKeyId: ROLE_B_KEY },
    ],
    { extraArgs },
  );
  const a = ps.kms(CALLER_KEY);
  const b = ps.kms(ROLE_B_KEY);
  const bEu = ps.kms(ROLE_B_KEY, { region: "eu-west-1" });
  const planted: PlantedFinding[] = [];
  const plant = (rule: string, keyArn: string) => planted.push({ rule, keyArn });
  const now = Date.now();

  const clean = await createKey(a, {
    tags: tagsOf("internal", "orders", "sqs"),
    aliases: ["alias/acme/orders/internal/sqs"],
    rotationDays: 365,
  });
  await a.send(
    new CreateGrantCommand({
      KeyId: clean,
      GranteePrincipal: `arn:aws:iam::${ACCOUNT_A}:role/app`,
      Operations: ["Encrypt", "Decrypt"],
    }),
  );
  const untagged = await createKey(a, { aliases: ["alias/legacy-app-key"], rotationDays: 365 });
  plant("unclassified", untagged);
  const twoClasses = await createKey(a, {
    tags: tagsOf("internal", "payments", "s3"),
    aliases: ["alias/acme/payments/restricted/s3"],
    rotationDays: 365,
  });
  plant("shared-across-classifications", twoClasses);
  const twoApps = await createKey(a, {
    tags: tagsOf("internal", "payments", "sqs"),
    aliases: ["alias/acme/payments/internal/sqs", "alias/acme/billing/internal/sqs"],
    rotationDays: 365,
  });
  plant("shared-across-applications", twoApps);
  const twoServices = await createKey(a, {
    tags: tagsOf("internal", "payments", "s3"),
    rotationDays: 365,
    policy: policy(ACCOUNT_A, {
      Sid: "AppThroughServices",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:role/app` },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: {
        StringEquals: { "kms:ViaService": ["s3.us-east-1.amazonaws.com", "rds.us-east-1.amazonaws.com"] },
      },
    }),
  });
  plant("shared-across-services", twoServices);
  const noRotation = await createKey(a, { tags: tagsOf("internal", "payments", "sqs") });
  plant("rotation-off", noRotation);
  const longRotation = await createKey(a, {
    tags: tagsOf("restricted", "payments", "sqs", { "keyplane:rotation-days": "90" }),
    rotationDays: 365,
  });
  plant("rotation-too-long", longRotation);
  const expiring = await createKey(a, { tags: tagsOf("restricted", "payments", "s3"), external: true });
  await importMaterial(a, expiring, new Date(now + (ADVANCE_DAYS + 5) * DAY_MS));
  plant("material-expiring", expiring);
  const expired = await createKey(a, { tags: tagsOf("restricted", "payments", "rds"), external: true });
  await importMaterial(a, expired, new Date(now + 2 * DAY_MS));
  plant("material-expired", expired);
  const pending = await createKey(a, {
    tags: tagsOf("internal", "orders", "sqs"),
    aliases: ["alias/retired-queue-key"],
    rotationDays: 365,
  });
  plant("pending-deletion", pending);
  const public_ = await createKey(a, {
    tags: tagsOf("internal", "orders", "sqs"),
    rotationDays: 365,
    policy: policy(ACCOUNT_A, {
      Sid: "Public",
      Effect: "Allow",
      Principal: "*",
      Action: "kms:Decrypt",
      Resource: "*",
    }),
  });
  plant("wildcard-principal", public_);
  const crossAccount = await createKey(a, {
    tags: tagsOf("internal", "orders", "sqs"),
    rotationDays: 365,
    policy: policy(ACCOUNT_A, {
      Sid: "PartnerDecrypt",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT_B}:root` },
      Action: "kms:Decrypt",
      Resource: "*",
    }),
  });
  plant("cross-account-unconditioned", crossAccount);
  const adminUser = await createKey(a, {
    tags: tagsOf("internal", "orders", "sqs"),
    rotationDays: 365,
    policy: policy(ACCOUNT_A, {
      Sid: "KeyAdministrators",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:role/KeyAdmin` },
      Action: ["kms:Create*", "kms:Describe*", "kms:Put*", "kms:ScheduleKeyDeletion", "kms:Decrypt"],
      Resource: "*",
    }),
  });
  plant("admin-can-use", adminUser);
  const idle = await createKey(a, { tags: tagsOf("internal", "orders", "sqs"), rotationDays: 365 });
  plant("unused", idle);
  const disabled = await createKey(a, {
    tags: tagsOf("internal", "orders", "sqs"),
    aliases: ["alias/batch-export-key"],
    rotationDays: 365,
  });
  plant("disabled-referenced", disabled);

  const cleanB = await createKey(b, { tags: tagsOf("internal", "ledger", "dynamodb"), rotationDays: 365 });
  const untaggedB = await createKey(b, { rotationDays: 365 });
  plant("unclassified", untaggedB);
  const untaggedBEu = await createKey(bEu, { rotationDays: 365 });
  plant("unclassified", untaggedBEu);
  plant("over-budget", `arn:aws:kms:us-east-1:${ACCOUNT_A}:key/*`);

  await ps.sandbox.advanceClock(`${ADVANCE_DAYS}d`);
  const used = [clean, untagged, twoClasses, twoApps, twoServices, noRotation, longRotation, expiring];
  used.push(public_, crossAccount, adminUser, disabled);
  for (const keyArn of used) {
    await a.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from("brownfield") }));
  }
  await b.send(new EncryptCommand({ KeyId: cleanB, Plaintext: Buffer.from("brownfield") }));
  await b.send(new EncryptCommand({ KeyId: untaggedB, Plaintext: Buffer.from("brownfield") }));
  await bEu.send(new EncryptCommand({ KeyId: untaggedBEu, Plaintext: Buffer.from("brownfield") }));
  await a.send(new DisableKeyCommand({ KeyId: disabled }));
  await a.send(new ScheduleKeyDeletionCommand({ KeyId: pending, PendingWindowInDays: 30 }));
  return { ps, planted };
}
