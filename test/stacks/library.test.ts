import "cdktf/lib/testing/adapters/jest";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, Aspects, TerraformStack, Testing } from "cdktf";
import { KeyplaneError } from "../../byok/errors";
import { lintPlan } from "../../stacks/guardrails/lint-plan";
import type { Finding } from "../../stacks/guardrails/rule";
import {
  ExternalKey,
  KeyHierarchy,
  KeyPolicy,
  KeyplaneGuardrails,
  ManagedKey,
  parsePlan,
} from "../../stacks/index";
import { basePlan, derived, planYaml, variant } from "./plans";

const plan = (changes: Record<string, unknown> = {}) =>
  parsePlan(planYaml(variant(changes, basePlan())), "keyplan.yaml");
const policy = new KeyPolicy({ account: "111111111111", region: "us-east-1" })
  .allowAdministrators(["arn:aws:iam::111111111111:role/KeyAdmin"], { rotateOnDemand: true })
  .render();

function userStack(id = "shop"): { app: App; stack: TerraformStack } {
  const app = new App({ stackTraces: false });
  const stack = new TerraformStack(app, id);
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  return { app, stack };
}

function errorOf(build: () => void): string {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyplaneError);
    return (error as KeyplaneError).message;
  }
  throw new Error("expected a KeyplaneError");
}

describe("KeyHierarchy in a user's stack", () => {
  test("builds the plan's keys under its own id; key(alias) reaches a key's attributes", () => {
    const { stack } = userStack();
    const keys = new KeyHierarchy(stack, "keys", { plan: plan() });
    expect(keys.keys.map((key) => key.node.path)).toEqual([
      "shop/keys/payments-restricted-s3",
      "shop/keys/payments-restricted-rds",
      "shop/keys/payments-internal-sqs",
      "shop/keys/orders-confidential-shared",
    ]);
    expect(keys.key("alias/acme/payments/restricted/s3")).toBeInstanceOf(ExternalKey);
    expect(keys.key("alias/acme/payments/internal/sqs")).toBeInstanceOf(ManagedKey);
    expect(keys.monitoring?.node.path).toBe("shop/keys/monitoring");
    expect(errorOf(() => keys.key("alias/acme/nope"))).toMatch(
      /^shop\/keys: no key with alias 'alias\/acme\/nope' \(known: alias\/acme\/payments\/restricted\/s3, /,
    );
  });

  test("refuses at construction, naming the field: no provider, no stack, several stacks, an unknown stack", () => {
    const app = new App({ stackTraces: false });
    const bare = new TerraformStack(app, "bare");
    expect(errorOf(() => new KeyHierarchy(bare, "keys", { plan: plan() }))).toBe(
      'bare/keys: stack bare has no default AWS provider (add new AwsProvider(stack, "aws", { region }) before the KeyHierarchy)',
    );
    expect(errorOf(() => new KeyHierarchy(app, "loose", { plan: plan() }))).toBe(
      "loose: a KeyHierarchy belongs inside a TerraformStack",
    );
    const decentralized = plan({ management: "decentralized" });
    expect(errorOf(() => new KeyHierarchy(userStack().stack, "keys", { plan: decentralized }))).toBe(
      "shop/keys: stack: plan 'acme' derives 2 stacks; name one of: acme-222222222222-us-east-1, acme-333333333333-us-east-1",
    );
    expect(
      errorOf(() => new KeyHierarchy(userStack().stack, "keys", { plan: decentralized, stack: "acme-x" })),
    ).toBe(
      "shop/keys: stack: 'acme-x' is not a stack of plan 'acme' (known: acme-222222222222-us-east-1, acme-333333333333-us-east-1)",
    );
    const chosen = new KeyHierarchy(userStack().stack, "keys", {
      plan: decentralized,
      stack: "acme-333333333333-us-east-1",
    });
    expect(chosen.keys.map((key) => key.node.id)).toEqual(["orders-confidential-shared"]);
  });

  test("a plan path that cannot be read: the loader's one-line error", () => {
    expect(
      errorOf(() => new KeyHierarchy(userStack().stack, "keys", { plan: "/nonexistent/keyplan.yaml" })),
    ).toBe("/nonexistent/keyplan.yaml: no such file");
  });

  test("replica regions get aliased providers inside the construct", () => {
    const { stack } = userStack();
    new KeyHierarchy(stack, "keys", {
      plan: plan({ replicaRegions: ["eu-west-1"], "classifications.internal.multiRegion": true }),
    });
    const json = JSON.parse(Testing.synth(stack)) as { provider: { aws: Record<string, unknown>[] } };
    expect(json.provider.aws).toEqual([
      { region: "us-east-1" },
      { alias: "keys-eu-west-1", region: "eu-west-1" },
    ]);
  });
});

describe("policyAsResource", () => {
  test("the policy becomes aws_kms_key_policy on the key's id; the key itself carries none", () => {
    const synthesized = Testing.synthScope((scope) => {
      new ManagedKey(scope, "k", { description: "d", policy, policyAsResource: true });
      new ExternalKey(scope, "x", { description: "x", policy, policyAsResource: true });
    });
    const json = JSON.parse(synthesized) as {
      resource: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(Object.values(json.resource.aws_kms_key!)[0]).not.toHaveProperty("policy");
    expect(Object.values(json.resource.aws_kms_external_key!)[0]).not.toHaveProperty("policy");
    const policies = Object.values(json.resource.aws_kms_key_policy!);
    expect(policies).toHaveLength(2);
    expect(policies[0]).toEqual({
      key_id: expect.stringMatching(/^\$\{aws_kms_key\.k_key_\w+\.key_id\}$/),
      policy,
    });
    expect(policies[1]).toEqual({
      key_id: expect.stringMatching(/^\$\{aws_kms_external_key\.x_key_\w+\.id\}$/),
      policy,
    });
  });

  test("from the plan: every key of the hierarchy", () => {
    const { stack } = userStack();
    new KeyHierarchy(stack, "keys", { plan: plan({ policyAsResource: true, monitoring: false }) });
    const json = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, unknown>> };
    expect(Object.keys(json.resource.aws_kms_key_policy!)).toHaveLength(4);
  });
});

describe("key constructs refuse bad props at construction, naming the field", () => {
  test.each([
    [
      "rotationDays",
      () => new ManagedKey(userStack().stack, "k", { description: "d", policy, rotationDays: 30 }),
      "shop/k: rotationDays must be a whole number from 90 to 2560, got 30",
    ],
    [
      "deletionWindowDays",
      () => new ManagedKey(userStack().stack, "k", { description: "d", policy, deletionWindowDays: 3 }),
      "shop/k: deletionWindowDays must be a whole number from 7 to 30, got 3",
    ],
    [
      "materialValidityDays",
      () => new ExternalKey(userStack().stack, "x", { description: "d", policy, materialValidityDays: 400 }),
      "shop/x: materialValidityDays must be a whole number from 1 to 365, got 400",
    ],
    [
      "external rotationDays",
      () => new ExternalKey(userStack().stack, "x", { description: "d", policy, rotationDays: 10 }),
      "shop/x: rotationDays must be a whole number from 90 to 2560, got 10",
    ],
    [
      "aliases",
      () => new ManagedKey(userStack().stack, "k", { description: "d", policy, aliases: ["alias/aws/s3"] }),
      "shop/k: alias must be alias/<name> (letters, digits, / _ -, not alias/aws/), got 'alias/aws/s3'",
    ],
  ])("%s", (_field, build, message) => {
    expect(errorOf(build)).toBe(message);
  });

  test("defaults: 365-day rotation, 30-day deletion window, 365-day material validity", () => {
    const { stack } = userStack();
    const managed = new ManagedKey(stack, "k", { description: "d", policy });
    const external = new ExternalKey(stack, "x", { description: "d", policy });
    expect([managed.rotationDays, managed.deletionWindowDays]).toEqual([365, 30]);
    expect([external.materialValidityDays, external.deletionWindowDays, external.rotationDays]).toEqual([
      365,
      30,
      undefined,
    ]);
  });
});

/** A finding without its stack prefix: the hierarchy sits one level deeper than the synth's own stacks. */
/**
 * KP-ACCESS-MATRIX evaluates the plan's intent (which principal should administer, import, use): it needs the
 * plan's roles, which constructs do not carry, so only `plan lint` and `keyplane synth` produce it.
 */
const PLAN_ONLY_RULES = new Set(["KP-ACCESS-MATRIX"]);

function comparable(findings: readonly Finding[], prefix: string): string[] {
  return findings
    .filter((f) => !PLAN_ONLY_RULES.has(f.rule))
    .map(
      (f) =>
        `${f.severity} ${f.rule} ${f.path.replace(prefix, "")}: ${f.message}${f.suppressed ? " (suppressed)" : ""}`,
    )
    .sort();
}

describe("KeyplaneGuardrails and plan lint agree (one set of rules, two producers)", () => {
  test.each([
    ["as is", {}, 0],
    ["monitoring off, pci-dss", { monitoring: false, compliance: ["pci-dss"] }, 3],
    ["no administrators", { administrators: [] }, 5],
    [
      "fedramp-moderate, material for a year",
      { compliance: ["fedramp-moderate"], "classifications.restricted.materialValidityDays": 365 },
      2,
    ],
    [
      "no users, suppressed",
      {
        "applications.payments.users": [],
        suppress: [
          { rule: "KP-UNUSED-KEY", path: "*payments-internal-sqs", reason: "no consumer yet, on purpose" },
        ],
      },
      3,
    ],
  ] as [string, Record<string, unknown>, number][])("%s", (_name, changes, count) => {
    const planned = variant(changes);
    const linted = lintPlan(derived(planned));
    const { app, stack } = userStack("acme-security-us-east-1");
    new KeyHierarchy(stack, "keys", { plan: parsePlan(planYaml(planned), "keyplan.yaml") });
    Aspects.of(stack).add(new KeyplaneGuardrails());
    const annotations: string[] = [];
    try {
      app.synth();
    } catch {
      // error annotations fail the synth after annotating: compare them all the same
    }
    for (const entry of stack.node.metadata) annotations.push(String(entry.data));
    const fromAspect = annotations
      .map((text) => /^\[(\S+)\] (\S+): (.*) \(fix: .*\)( suppressed: .*)?$/.exec(text)!)
      .map(([, rule, path, message, suppressed]) => {
        const finding = linted.find((f) => f.rule === rule && f.message === message);
        return `${finding?.severity} ${rule} ${path!.replace("acme-security-us-east-1/keys/", "")}: ${message}${suppressed ? " (suppressed)" : ""}`;
      })
      .sort();
    expect(fromAspect).toEqual(comparable(linted, "acme-security-us-east-1/"));
    expect(fromAspect).toHaveLength(count);
  });
});
