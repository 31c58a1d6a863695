import type { EstateRule } from "../model";

export const overBudget: EstateRule = {
  id: "over-budget",
  scope: "estate",
  severity: "low",
  description: "More customer managed keys in an account and Region than the budget (--budget): key sprawl.",
  controls: [],
  check(estate, settings) {
    if (settings.budget === undefined || estate.keyCount <= settings.budget) return [];
    return [
      {
        // The finding is about the account and Region as a whole.
        keyArn: `arn:aws:kms:${estate.region}:${estate.account}:key/*`,
        evidence: `${estate.keyCount} customer managed keys, budget ${settings.budget}`,
        fix: "merge keys of one classification, application and service; retire unused keys",
      },
    ];
  },
};
