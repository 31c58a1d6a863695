import { stringify } from "yaml";
import { type DerivedPlan, derivePlan } from "../../stacks/plan/derive";
import { parsePlan } from "../../stacks/plan/load";

/** A small valid centralized plan; tests change one thing at a time. */
export function basePlan(): Record<string, unknown> {
  return {
    version: 1,
    name: "acme",
    management: "centralized",
    region: "us-east-1",
    accounts: { security: "111111111111" },
    administrators: ["arn:aws:iam::111111111111:role/KeyAdmin"],
    custodians: ["arn:aws:iam::111111111111:role/KeyCustodian"],
    classifications: {
      public: { keys: "aws-managed" },
      internal: { rotationDays: 365 },
      confidential: { rotationDays: 180, shareAcrossServices: true },
      restricted: { origin: "external", rotationDays: 90, materialValidityDays: 180, deletionWindowDays: 30 },
    },
    applications: {
      payments: {
        account: "222222222222",
        users: ["arn:aws:iam::222222222222:role/payments-api"],
        data: { restricted: ["s3", "rds"], internal: ["sqs"], public: ["s3"] },
      },
      orders: {
        account: "333333333333",
        users: ["arn:aws:iam::333333333333:role/orders-api"],
        data: { confidential: ["dynamodb", "sqs", "logs"] },
      },
    },
  };
}

/**
 * A copy of `plan` with fields set (dotted paths; `undefined` removes the field), e.g.
 * `variant({ "applications.payments.users": [] })`.
 */
export function variant(
  changes: Record<string, unknown>,
  plan: Record<string, unknown> = basePlan(),
): Record<string, unknown> {
  const copy = structuredClone(plan);
  for (const [path, value] of Object.entries(changes)) {
    const segments = path.split(".");
    const last = segments.pop()!;
    let target = copy;
    for (const segment of segments) {
      target[segment] ??= {};
      target = target[segment] as Record<string, unknown>;
    }
    if (value === undefined) delete target[last];
    else target[last] = value;
  }
  return copy;
}

export function planYaml(plan: Record<string, unknown>): string {
  return stringify(plan);
}

export function derived(plan: Record<string, unknown> = basePlan(), sandbox = false): DerivedPlan {
  return derivePlan(parsePlan(planYaml(plan), "keyplan.yaml"), { sandbox });
}
