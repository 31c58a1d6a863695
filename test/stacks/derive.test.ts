import { TAG } from "../../byok/vocabulary/tags";
import { basePlan, derived, variant } from "./plans";

describe("derivePlan", () => {
  test("one key per application x classification x service, in plan order", () => {
    expect(derived().keys.map((key) => key.alias)).toEqual([
      "alias/acme/payments/restricted/s3",
      "alias/acme/payments/restricted/rds",
      "alias/acme/payments/internal/sqs",
      "alias/acme/orders/confidential/shared",
    ]);
  });

  test("shareAcrossServices gives one key listing every service, tagged service '*'", () => {
    const shared = derived().keys.find((key) => key.classification === "confidential")!;
    expect(shared.services).toEqual(["dynamodb", "sqs", "logs"]);
    expect(shared.tags[TAG.service]).toBe("*");
    expect(shared.id).toBe("orders-confidential-shared");
  });

  test("aws-managed creates no key and names the AWS managed key that serves", () => {
    const plan = derived(variant({ "applications.orders.data.public": ["logs", "ebs"] }));
    expect(plan.keys.some((key) => key.classification === "public")).toBe(false);
    expect(plan.awsManaged.map((use) => [use.application, use.service, use.awsManagedKey])).toEqual([
      ["payments", "s3", "aws/s3"],
      ["orders", "logs", "AWS owned key"],
      ["orders", "ebs", "aws/ebs"],
    ]);
  });

  test("tags follow the tag contract", () => {
    const [byok, , internal] = derived().keys;
    expect(byok!.tags).toEqual({
      [TAG.plan]: "acme",
      [TAG.classification]: "restricted",
      [TAG.application]: "payments",
      [TAG.service]: "s3",
      [TAG.rotationDays]: "90",
      [TAG.materialValidityDays]: "180",
    });
    expect(internal!.tags).toEqual({
      [TAG.plan]: "acme",
      [TAG.classification]: "internal",
      [TAG.application]: "payments",
      [TAG.service]: "sqs",
      [TAG.rotationDays]: "365",
    });
  });

  test("defaults: symmetric, 365-day rotation, 30-day deletion window, 365-day material validity", () => {
    const plan = derived(
      variant({
        "classifications.internal": {},
        "classifications.restricted": { origin: "external" },
      }),
    );
    const internal = plan.keys.find((key) => key.classification === "internal")!;
    expect(internal).toMatchObject({
      keySpec: "SYMMETRIC_DEFAULT",
      keyUsage: "ENCRYPT_DECRYPT",
      rotationDays: 365,
      deletionWindowDays: 30,
      origin: "AWS_KMS",
    });
    const restricted = plan.keys.find((key) => key.classification === "restricted")!;
    expect(restricted).toMatchObject({ origin: "EXTERNAL", materialValidityDays: 365 });
    expect(restricted.rotationDays).toBeUndefined();
    expect(restricted.tags[TAG.rotationDays]).toBeUndefined();
  });

  test("HMAC and asymmetric keys carry no rotation", () => {
    const plan = derived(variant({ "classifications.internal": { keySpec: "HMAC_256" } }));
    const mac = plan.keys.find((key) => key.classification === "internal")!;
    expect(mac).toMatchObject({ keySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" });
    expect(mac.rotationDays).toBeUndefined();
  });

  test("custodians only on external keys; administrators on every key; users of the application", () => {
    const [byok, , internal] = derived().keys;
    expect(byok!.custodians).toEqual(["arn:aws:iam::111111111111:role/KeyCustodian"]);
    expect(internal!.custodians).toEqual([]);
    expect(internal!.administrators).toEqual(["arn:aws:iam::111111111111:role/KeyAdmin"]);
    expect(internal!.users).toEqual(["arn:aws:iam::222222222222:role/payments-api"]);
  });

  test("centralized: one stack in the security account, deployed by its deploy role; users call from their application account", () => {
    const plan = derived();
    expect(plan.stacks.map((stack) => [stack.id, stack.account, stack.deployRoleArn])).toEqual([
      ["acme-security-us-east-1", "111111111111", "arn:aws:iam::111111111111:role/KeyplaneDeploy"],
    ]);
    expect(plan.keys.every((key) => key.deployers.join() === plan.stacks[0]?.deployRoleArn)).toBe(true);
    expect(plan.keys.map((key) => [key.keyAccount, key.callerAccount])).toContainEqual([
      "111111111111",
      "333333333333",
    ]);
  });

  test("decentralized: one stack per application account, with its deploy role", () => {
    const plan = derived(
      variant(
        {
          management: "decentralized",
          deployRole: "Deployer",
          "applications.orders.account": "222222222222",
        },
        {
          ...basePlan(),
          applications: {
            ...(basePlan().applications as object),
            billing: { account: "444444444444", users: [], data: { internal: ["s3"] } },
          },
        },
      ),
    );
    expect(plan.stacks.map((stack) => [stack.id, stack.deployRoleArn, stack.keys.length])).toEqual([
      ["acme-222222222222-us-east-1", "arn:aws:iam::222222222222:role/Deployer", 4],
      ["acme-444444444444-us-east-1", "arn:aws:iam::444444444444:role/Deployer", 1],
    ]);
    expect(plan.keys.every((key) => key.keyAccount === key.callerAccount)).toBe(true);
  });

  test("multiRegion classifications replicate to replicaRegions; others do not", () => {
    const plan = derived(
      variant({ replicaRegions: ["eu-west-1"], "classifications.confidential.multiRegion": true }),
    );
    expect(plan.keys.find((key) => key.classification === "confidential")!.replicaRegions).toEqual([
      "eu-west-1",
    ]);
    expect(plan.keys.find((key) => key.classification === "internal")!.replicaRegions).toEqual([]);
  });

  test("monitoring adds one monitoring key per stack; sandbox mode and monitoring: false drop it", () => {
    expect(derived().stacks[0]!.monitoringKey?.alias).toBe("alias/acme/keyplane/monitoring/shared");
    expect(derived(basePlan(), true).stacks[0]!.monitoringKey).toBeUndefined();
    expect(derived(variant({ monitoring: false })).stacks[0]!.monitoringKey).toBeUndefined();
    expect(derived().keys).toHaveLength(4);
  });
});
