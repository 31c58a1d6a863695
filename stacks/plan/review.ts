/**
 * Plans that are valid but probably not what their author meant: warnings `plan lint` prints beside the
 * guardrails' findings (they never fail a lint or a synth). Each names the YAML path. (Keys nobody may use
 * are KP-UNUSED-KEY's.)
 */
import { KNOWN_REGIONS } from "../../byok/vocabulary/regions";
import type { Finding } from "../guardrails/rule";
import type { DerivedPlan } from "./derive";

export const PLAN_REVIEW_RULE = "KP-PLAN-REVIEW";

export function reviewPlan(derived: DerivedPlan): Finding[] {
  const { plan } = derived;
  const findings: Finding[] = [];
  const warn = (path: string, message: string, fix: string) =>
    findings.push({ rule: PLAN_REVIEW_RULE, severity: "warning", path, message, fix });

  const regions: [string, string][] = [
    ["region", plan.region],
    ...plan.replicaRegions.map((region, i): [string, string] => [`replicaRegions[${i}]`, region]),
    ...(plan.backend?.s3 ? [["backend.s3.region", plan.backend.s3.region] as [string, string]] : []),
  ];
  for (const [path, region] of regions) {
    if (!KNOWN_REGIONS.has(region)) {
      warn(
        path,
        `'${region}' is not a Region this keyplane version knows`,
        "check the spelling (e.g. us-east-1)",
      );
    }
  }
  for (const [name, application] of Object.entries(plan.applications)) {
    const at = `applications.${name}`;
    application.users.forEach((user, i) => {
      if (user === "*") {
        warn(
          `${at}.users[${i}]`,
          "'*' lets every principal of the account use the keys through the listed services",
          "list the application's roles",
        );
      }
    });
  }
  const applicationKeys = derived.stacks.reduce((sum, stack) => sum + stack.keys.length, 0);
  if (applicationKeys === 0 && derived.awsManaged.length === 0) {
    warn(
      "applications",
      "the plan derives no keys",
      "give an application data: { <classification>: [services] }",
    );
  }
  return findings;
}
