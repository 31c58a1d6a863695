import { principalsAllowed } from "../../stacks/guardrails/policy-facts";
import type { DerivedKey } from "../../stacks/plan/derive";
import { policyForKey } from "../../stacks/plan/policy-for-key";
import { KeyPolicy } from "../../stacks/policy/key-policy";
import { derived, variant } from "./plans";

const ADMIN = "arn:aws:iam::111111111111:role/KeyAdmin";
const CUSTODIAN = "arn:aws:iam::111111111111:role/KeyCustodian";
const PAYMENTS = "arn:aws:iam::222222222222:role/payments-api";

function keyOf(alias: string, plan = derived()): DerivedKey {
  return plan.keys.find((key) => key.alias === alias)!;
}
const may = (key: DerivedKey, action: string) => [
  ...principalsAllowed(policyForKey(key).document(), [action]),
];
const statement = (key: DerivedKey, sid: string) =>
  policyForKey(key)
    .document()
    .Statement.find((s) => s.Sid === sid);

describe("KeyPolicy statements", () => {
  const byok = keyOf("alias/acme/payments/restricted/rds");
  const sqs = keyOf("alias/acme/payments/internal/sqs");
  const shared = keyOf("alias/acme/orders/confidential/shared");

  test("administrators manage (policy, deletion, rotation) but never use", () => {
    for (const action of [
      "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion",
      "kms:EnableKeyRotation",
      "kms:DisableKey",
    ]) {
      expect(may(sqs, action)).toContain(ADMIN);
    }
    for (const action of [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "kms:GenerateDataKey",
      "kms:CreateGrant",
      "kms:ImportKeyMaterial",
    ]) {
      expect(may(byok, action)).not.toContain(ADMIN);
    }
    expect(may(sqs, "kms:RotateKeyOnDemand")).toContain(ADMIN);
    expect(may(byok, "kms:RotateKeyOnDemand")).not.toContain(ADMIN);
  });

  test("custodians import material on external keys only, and never use or manage", () => {
    for (const action of [
      "kms:GetParametersForImport",
      "kms:ImportKeyMaterial",
      "kms:DeleteImportedKeyMaterial",
      "kms:DescribeKey",
      "kms:RotateKeyOnDemand",
    ]) {
      expect(may(byok, action)).toContain(CUSTODIAN);
    }
    for (const action of [
      "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion",
      "kms:CreateGrant",
      "kms:ReEncryptFrom",
    ])
      expect(may(byok, action)).not.toContain(CUSTODIAN);
    // Decrypt only to verify an import: under the verify step's own encryption context, nothing else.
    expect(statement(byok, "KeyCustodiansVerifyImport")).toMatchObject({
      Action: ["kms:Decrypt", "kms:Encrypt"],
      Condition: {
        StringLike: { "kms:EncryptionContext:keyplane:verify": "*" },
        "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": "keyplane:verify" },
      },
    });
    expect(statement(sqs, "KeyCustodians")).toBeUndefined();
  });

  test("users use the key only through their service and from their account", () => {
    expect(may(sqs, "kms:Decrypt")).toEqual([PAYMENTS]);
    expect(may(sqs, "kms:PutKeyPolicy")).not.toContain(PAYMENTS);
    expect(statement(sqs, "KeyUsers")!.Condition).toEqual({
      StringEquals: { "kms:ViaService": "sqs.us-east-1.amazonaws.com", "kms:CallerAccount": "222222222222" },
    });
    expect(statement(shared, "KeyUsers")!.Condition!.StringEquals!["kms:ViaService"]).toEqual([
      "dynamodb.us-east-1.amazonaws.com",
      "sqs.us-east-1.amazonaws.com",
      "logs.us-east-1.amazonaws.com",
    ]);
  });

  test("CreateGrant only for AWS resources, only for services that need grants", () => {
    expect(statement(byok, "KeyUsersGrantsForAwsResources")!.Condition).toEqual({
      Bool: { "kms:GrantIsForAWSResource": "true" },
      StringEquals: { "kms:ViaService": "rds.us-east-1.amazonaws.com", "kms:CallerAccount": "222222222222" },
    });
    expect(statement(sqs, "KeyUsersGrantsForAwsResources")).toBeUndefined();
    expect(may(keyOf("alias/acme/payments/restricted/s3"), "kms:CreateGrant")).toEqual([]);
  });

  test("service principals carry their encryption-context or source-account condition", () => {
    expect(statement(shared, "CloudWatchLogs")).toMatchObject({
      Principal: { Service: "logs.us-east-1.amazonaws.com" },
      Condition: {
        ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:333333333333:log-group:*" },
      },
    });
    const monitoring = derived().stacks[0]!.monitoringKey!;
    expect(statement(monitoring, "CloudTrail")!.Condition).toEqual({
      StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111111111111:trail/*" },
      StringEquals: { "aws:SourceAccount": "111111111111" },
    });
    expect(statement(monitoring, "SnsPublishers")!.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": "111111111111" },
    });
    expect(statement(sqs, "CloudWatchLogs")).toBeUndefined();
  });

  test("account-root delegation only with iamDelegation: true", () => {
    expect(statement(sqs, "EnableIamPolicies")).toBeUndefined();
    const delegated = keyOf("alias/acme/payments/internal/sqs", derived(variant({ iamDelegation: true })));
    expect(statement(delegated, "EnableIamPolicies")).toEqual({
      Sid: "EnableIamPolicies",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::111111111111:root" },
      Action: "kms:*",
      Resource: "*",
    });
  });

  test("HMAC and signing keys get their own cryptographic actions", () => {
    const mac = keyOf(
      "alias/acme/payments/internal/sqs",
      derived(variant({ "classifications.internal": { keySpec: "HMAC_256" } })),
    );
    expect(statement(mac, "KeyUsers")!.Action).toEqual([
      "kms:DescribeKey",
      "kms:GenerateMac",
      "kms:VerifyMac",
    ]);
    const sign = keyOf(
      "alias/acme/payments/internal/sqs",
      derived(variant({ "classifications.internal": { keySpec: "ECC_NIST_P256" } })),
    );
    expect(statement(sign, "KeyUsers")!.Action).toEqual([
      "kms:DescribeKey",
      "kms:GetPublicKey",
      "kms:Sign",
      "kms:Verify",
    ]);
  });

  test("a replica's policy names its own region", () => {
    const key = keyOf(
      "alias/acme/orders/confidential/shared",
      derived(variant({ replicaRegions: ["eu-west-1"], "classifications.confidential.multiRegion": true })),
    );
    expect(JSON.stringify(policyForKey(key, "eu-west-1").document())).toContain(
      "sqs.eu-west-1.amazonaws.com",
    );
  });
});

describe("KeyPolicy.document", () => {
  test("statements are frozen copies: neither the caller's statement nor a reader changes the policy", () => {
    const statement = {
      Sid: "Custom",
      Effect: "Allow" as const,
      Principal: { AWS: ["arn:aws:iam::111111111111:role/A"] },
      Action: ["kms:DescribeKey"],
      Resource: "*" as const,
    };
    const policy = new KeyPolicy({ account: "111111111111", region: "us-east-1" }).add(statement);
    statement.Action.push("kms:Decrypt");
    const read = policy.document().Statement[0]!;
    expect(() => (read.Action as string[]).push("kms:Encrypt")).toThrow(TypeError);
    expect(policy.render()).toBe(
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ ...statement, Action: ["kms:DescribeKey"] }],
      }),
    );
  });
});
