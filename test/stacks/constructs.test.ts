import "cdktf/lib/testing/adapters/jest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack, Testing } from "cdktf";
import { KeyplaneError } from "../../byok/errors";
import { ExternalKey } from "../../stacks/constructs/external-key";
import { KeyMonitoring } from "../../stacks/constructs/key-monitoring";
import { ManagedKey } from "../../stacks/constructs/managed-key";
import { keyplaneProvider } from "../../stacks/constructs/provider";
import { addGuardrails } from "../../stacks/guardrails/aspects";
import { KeyPolicy } from "../../stacks/policy/key-policy";

const ADMIN = "arn:aws:iam::111111111111:role/KeyAdmin";
const policy = new KeyPolicy({ account: "111111111111", region: "us-east-1" })
  .allowAdministrators([ADMIN], { rotateOnDemand: true })
  .render();
const tags = { "keyplane:plan": "acme", "keyplane:classification": "internal" };

describe("ManagedKey", () => {
  test("symmetric by default, rotation and deletion window explicit, literal policy, alias", () => {
    const synthesized = Testing.synthScope((scope) => {
      new ManagedKey(scope, "k", { description: "d", policy, tags, aliases: ["alias/acme/a/internal/s3"] });
    });
    expect(synthesized).toHaveResourceWithProperties(
      { tfResourceType: "aws_kms_key" },
      {
        description: "d",
        customer_master_key_spec: "SYMMETRIC_DEFAULT",
        enable_key_rotation: true,
        rotation_period_in_days: 365,
        deletion_window_in_days: 30,
        is_enabled: true,
        policy,
        tags,
      },
    );
    expect(synthesized).toHaveResourceWithProperties(
      { tfResourceType: "aws_kms_alias" },
      { name: "alias/acme/a/internal/s3" },
    );
  });

  test("HMAC keys: spec and usage, rotation off", () => {
    const synthesized = Testing.synthScope((scope) => {
      new ManagedKey(scope, "k", { description: "d", policy, tags, keySpec: "HMAC_256" });
    });
    expect(synthesized).toHaveResourceWithProperties(
      { tfResourceType: "aws_kms_key" },
      {
        customer_master_key_spec: "HMAC_256",
        key_usage: "GENERATE_VERIFY_MAC",
        enable_key_rotation: false,
      },
    );
  });

  test.each([
    [{ rotationDays: 30 }, "k: rotationDays must be a whole number from 90 to 2560, got 30"],
    [
      { keySpec: "RSA_2048" as const, rotationDays: 365 },
      "k: rotationDays: KMS rotates only symmetric encryption keys, not RSA_2048",
    ],
    [
      { keySpec: "ECC_NIST_P256" as const, keyUsage: "ENCRYPT_DECRYPT" as const },
      "k: keyUsage ENCRYPT_DECRYPT is not allowed for ECC_NIST_P256 (allowed: SIGN_VERIFY)",
    ],
    [{ deletionWindowDays: 3 }, "k: deletionWindowDays must be a whole number from 7 to 30, got 3"],
    [
      { aliases: ["alias/aws/s3"] },
      "k: alias must be alias/<name> (letters, digits, / _ -, not alias/aws/), got 'alias/aws/s3'",
    ],
  ])("refuses misuse at construction: %o", (props, message) => {
    const stack = new TerraformStack(Testing.app(), "s");
    expect(() => new ManagedKey(stack, "k", { description: "d", policy, tags, ...props })).toThrow(
      new KeyplaneError("PLAN", `s/${message}`),
    );
  });
});

describe("ExternalKey", () => {
  test("aws_kms_external_key with no material and no enabled flag", () => {
    const synthesized = Testing.synthScope((scope) => {
      new ExternalKey(scope, "k", { description: "d", policy, tags, materialValidityDays: 180 });
    });
    expect(synthesized).toHaveResourceWithProperties(
      { tfResourceType: "aws_kms_external_key" },
      {
        description: "d",
        deletion_window_in_days: 30,
        policy,
      },
    );
    const resource = Object.values(JSON.parse(synthesized).resource.aws_kms_external_key)[0] as Record<
      string,
      unknown
    >;
    expect(resource).not.toHaveProperty("key_material_base64");
    expect(resource).not.toHaveProperty("enabled");
  });
});

describe("guardrail aspects", () => {
  test("annotate the stack with the findings of composed constructs", () => {
    const app = new App({ stackTraces: false });
    const stack = new TerraformStack(app, "s");
    new ManagedKey(stack, "two", {
      description: "d",
      policy,
      tags,
      rotationDays: 2000,
      aliases: ["alias/acme/a/internal/s3", "alias/acme/a/restricted/s3"],
    });
    addGuardrails(app, {
      planName: "acme",
      knownClassifications: ["internal", "restricted"],
      thresholds: {
        maxRotationDays: 365,
        maxMaterialValidityDays: 365,
        minDeletionWindowDays: 7,
        monitoringRequired: false,
      },
      suppressions: [{ rule: "KP-UNUSED-KEY", path: "s/*", reason: "test stack without users" }],
    });
    Testing.synth(stack);
    const messages = stack.node.metadata.map((entry) => `${entry.type} ${entry.data}`);
    expect(messages).toEqual([
      "@cdktf/error [KP-ONE-CLASSIFICATION] s/two: key serves 2 classifications (internal, restricted) (fix: give each classification its own key (one alias per classification))",
      "@cdktf/error [KP-ROTATION] s/two: rotates every 2000 days; the profile allows at most 365 (fix: set rotationDays to at most 365)",
      "@cdktf/info [KP-UNUSED-KEY] s/two: no principal may use this key: it costs money and protects nothing (fix: list the application's users, or drop the classification from its data) suppressed: test stack without users",
    ]);
  });
});

test("an error finding fails app.synth() before the stack is written", () => {
  const outdir = mkdtempSync(join(tmpdir(), "keyplane-aspect-"));
  try {
    const app = new App({ stackTraces: false, outdir });
    const stack = new TerraformStack(app, "s");
    keyplaneProvider(stack, "aws", { region: "us-east-1" });
    new ManagedKey(stack, "k", { description: "d", policy, tags, rotationDays: 2000 });
    addGuardrails(app, {
      planName: "acme",
      knownClassifications: ["internal"],
      thresholds: {
        maxRotationDays: 365,
        maxMaterialValidityDays: 365,
        minDeletionWindowDays: 7,
        monitoringRequired: false,
      },
      suppressions: [],
    });
    expect(() => app.synth()).toThrow(
      /\[KP-ROTATION\] s\/k: rotates every 2000 days; the profile allows at most 365/,
    );
    expect(existsSync(join(outdir, "stacks", "s", "cdk.tf.json"))).toBe(false);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});

describe("KeyMonitoring", () => {
  test("trail, encrypted topic, KMS event rules, an expiry alarm per external key", () => {
    const synthesized = Testing.synthScope((scope) => {
      const monitoringKey = new ManagedKey(scope, "monitoring-key", { description: "m", policy, tags });
      const byok = new ExternalKey(scope, "byok", {
        description: "b",
        policy,
        tags,
        materialValidityDays: 90,
      });
      new KeyMonitoring(scope, "monitoring", {
        name: "acme",
        account: "111111111111",
        region: "us-east-1",
        monitoringKey,
        externalKeys: [byok],
        email: ["sec@example.com"],
        expiryWarningDays: 14,
      });
    });
    expect(synthesized).toHaveResourceWithProperties(
      { tfResourceType: "aws_cloudtrail" },
      {
        name: "acme-keyplane",
        is_multi_region_trail: true,
        enable_log_file_validation: true,
      },
    );
    expect(synthesized).toHaveResourceWithProperties(
      { tfResourceType: "aws_s3_bucket_public_access_block" },
      {
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      },
    );
    expect(synthesized).toHaveResourceWithProperties(
      { tfResourceType: "aws_sns_topic_subscription" },
      {
        protocol: "email",
        endpoint: "sec@example.com",
      },
    );
    expect(synthesized).toHaveResourceWithProperties(
      { tfResourceType: "aws_cloudwatch_metric_alarm" },
      {
        namespace: "AWS/KMS",
        metric_name: "SecondsUntilKeyMaterialExpiration",
        threshold: 14 * 86_400,
        comparison_operator: "LessThanThreshold",
      },
    );
    const rules = Object.values(JSON.parse(synthesized).resource.aws_cloudwatch_event_rule) as {
      event_pattern: string;
    }[];
    expect(rules).toHaveLength(2);
    expect(rules.map((rule) => JSON.parse(rule.event_pattern))).toEqual(
      expect.arrayContaining([
        {
          source: ["aws.kms"],
          "detail-type": ["KMS Imported Key Material Expiration", "KMS CMK Rotation", "KMS CMK Deletion"],
        },
        {
          source: ["aws.kms"],
          "detail-type": ["AWS API Call via CloudTrail"],
          detail: {
            eventSource: ["kms.amazonaws.com"],
            eventName: [
              "CreateGrant",
              "DeleteImportedKeyMaterial",
              "DisableKey",
              "ImportKeyMaterial",
              "PutKeyPolicy",
              "ScheduleKeyDeletion",
            ],
          },
        },
      ]),
    );
    expect(JSON.parse(synthesized).resource.aws_sns_topic).toBeDefined();
  });
});
