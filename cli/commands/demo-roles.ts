/**
 * The demo's principals: who signs each step on its enforcing sandbox. Each role of the demo plan gets the
 * identity policy `keyplane plan access` synthesizes for it, and a pipeline user signs Terraform's requests
 * and assumes the plan's deploy role, as a CI job would.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DecryptCommand, EncryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { stringify } from "yaml";
import { derivePlan, stackKeys } from "../../stacks/plan/derive";
import { loadPlanFile } from "../../stacks/plan/load";
import { identityPolicies } from "../../stacks/policy/identity-policies";

export interface DemoPrincipal {
  arn: string;
  accessKeyId: string;
}

export interface DemoRoles {
  /** The principals file the sandbox reads. */
  file: string;
  /** Signs `terraform apply`; its provider assumes the deploy role. */
  pipeline: DemoPrincipal;
  deployer: DemoPrincipal;
  administrator: DemoPrincipal;
  /** Runs the ceremony, expiry and renewal. */
  custodian: DemoPrincipal;
  application: DemoPrincipal;
}

/** Not credentials: the sandbox maps these access keys to principals and checks no signature. */
const SECRET = "keyplane-demo-secret";

export function writeDemoPrincipals(planFile: string, dir: string): DemoRoles {
  const derived = derivePlan(loadPlanFile(planFile), { sandbox: true });
  const stack = derived.stacks[0]!;
  const key = stackKeys(stack)[0]!;
  const policies = identityPolicies(derived.plan.name, stackKeys(stack));
  const principal = (arn: string, accessKeyId: string): DemoPrincipal => ({ arn, accessKeyId });
  const roles: DemoRoles = {
    file: join(dir, "principals.yaml"),
    pipeline: principal(`arn:aws:iam::${stack.account}:user/pipeline`, "AKIADEMOPIPELINE0001"),
    deployer: principal(stack.deployRoleArn, "AKIADEMODEPLOYER0001"),
    administrator: principal(key.administrators[0]!, "AKIADEMOADMIN0000001"),
    custodian: principal(derived.plan.custodians[0]!, "AKIADEMOCUSTODIAN001"),
    application: principal(key.users[0]!, "AKIADEMOAPPLICATION1"),
  };
  const entries = [roles.pipeline, roles.deployer, roles.administrator, roles.custodian, roles.application];
  writeFileSync(
    roles.file,
    stringify({
      principals: entries.map(({ arn, accessKeyId }) => ({
        arn,
        accessKeyId,
        secretAccessKey: SECRET,
        identityPolicies: policies.filter((entry) => entry.principal === arn).map((entry) => entry.policy),
      })),
    }),
  );
  return roles;
}

export function credentialsOf(principal: DemoPrincipal): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: principal.accessKeyId, AWS_SECRET_ACCESS_KEY: SECRET };
}

/** A KMS client signing as `principal`; `viaService` rehearses a call made through that AWS service. */
export function kmsAs(url: string, principal: DemoPrincipal, viaService?: string): KMSClient {
  const client = new KMSClient({
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: SECRET },
    maxAttempts: 1,
  });
  if (viaService) {
    client.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers["x-keyplane-via-service"] = viaService;
        return next(args);
      },
      { step: "build", name: "keyplaneViaService" },
    );
  }
  return client;
}

/**
 * The application seals a record through S3; then the administrator, the custodian and the application
 * itself try to open it. Returns the lines to show.
 */
export async function separationOfDuties(url: string, roles: DemoRoles, alias: string): Promise<string[]> {
  const via = "s3.us-east-1.amazonaws.com";
  const context = { "aws:s3:arn": "arn:aws:s3:::payments-ledger/2026/11/29.csv" };
  const name = (principal: DemoPrincipal) => principal.arn.split("/").at(-1) ?? principal.arn;
  const lines: string[] = [];
  const attempt = async (
    who: DemoPrincipal,
    through: string | undefined,
    what: string,
    call: () => Promise<unknown>,
  ) => {
    const label = `${name(who)}${through ? ` through ${through.split(".")[0]}` : " directly"} ${what}`;
    try {
      await call();
      lines.push(`${label}: allowed`);
    } catch (error) {
      const { name: exception, message } = error as Error;
      lines.push(`${label}: denied (${exception}: ${message})`);
    }
  };
  const application = kmsAs(url, roles.application, via);
  const administrator = kmsAs(url, roles.administrator);
  const custodian = kmsAs(url, roles.custodian);
  const direct = kmsAs(url, roles.application);
  try {
    const sealed = await application.send(
      new EncryptCommand({ KeyId: alias, Plaintext: Buffer.from("card ledger"), EncryptionContext: context }),
    );
    lines.push(`${name(roles.application)} through s3 encrypts a ledger object under ${alias}: allowed`);
    const decrypt = (client: KMSClient) => () =>
      client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: context }));
    await attempt(roles.administrator, undefined, "decrypts it", decrypt(administrator));
    await attempt(roles.custodian, undefined, "decrypts it", decrypt(custodian));
    await attempt(roles.application, undefined, "decrypts it", decrypt(direct));
    await attempt(roles.application, via, "decrypts it", decrypt(application));
  } finally {
    for (const client of [application, administrator, custodian, direct]) client.destroy();
  }
  return lines;
}
