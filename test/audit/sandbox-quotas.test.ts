import { Quotas } from "../../sandbox/quotas";

test("the sandbox's quotas are per account and Region: one account's burst does not throttle another's", () => {
  const quotas = new Quotas();
  const take = (account: string, region = "us-east-1") =>
    quotas.take("GetKeyLastUsage", region, undefined, 0, undefined, account);
  for (let i = 0; i < 5; i += 1) expect(take("111111111111")).toBe(true);
  expect(take("111111111111")).toBe(false);
  expect(take("222222222222")).toBe(true);
  expect(take("111111111111", "eu-west-1")).toBe(true);
});
