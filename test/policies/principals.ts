import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KMSClient } from "@aws-sdk/client-kms";
import { STSClient } from "@aws-sdk/client-sts";
import { stringify } from "yaml";
import { type DerivedPlan, stackKeys } from "../../stacks/plan/derive";
import { planAccess } from "../../stacks/policy/plan-access";
import { type SandboxHandle, type SandboxStartOptions, startSandbox } from "../support/sandbox";

export interface PrincipalSpec {
  arn: string;
  accessKeyId: string;
  identityPolicies?: object[];
}

/** An identity policy allowing `actions` on every resource. */
export function allow(...actions: string[]): object {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] };
}

export interface PrincipalSandbox {
  sandbox: SandboxHandle;
  dir: string;
  principalsFile: string;
  kms(accessKeyId: string, options?: { viaService?: string; region?: string }): KMSClient;
  sts(accessKeyId: string): STSClient;
  /** Environment for the CLI acting as the principal with this access key. */
  env(accessKeyId: string): Record<string, string>;
  stop(): Promise<void>;
}

/** Writes a principals file (the contract's format) and starts a sandbox with it. */
export async function startWithPrincipals(
  principals: PrincipalSpec[],
  options: { enforce?: boolean } & SandboxStartOptions = {},
): Promise<PrincipalSandbox> {
  const dir = mkdtempSync(join(tmpdir(), "keyplane-principals-"));
  const principalsFile = join(dir, "principals.yaml");
  writeFileSync(
    principalsFile,
    stringify({
      principals: principals.map((p) => ({
        arn: p.arn,
        accessKeyId: p.accessKeyId,
        secretAccessKey: "any-string",
        identityPolicies: p.identityPolicies ?? [],
      })),
    }),
  );
  const { enforce, ...sandboxOptions } = options;
  const sandbox = await startSandbox({
    ...sandboxOptions,
    extraArgs: [
      "--principals",
      principalsFile,
      ...(enforce ? ["--enforce-policies"] : []),
      ...(options.extraArgs ?? []),
    ],
  });
  const clients: { destroy(): void }[] = [];
  const credentials = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: "any-string" });
  return {
    sandbox,
    dir,
    principalsFile,
    kms(accessKeyId, { viaService, region } = {}) {
      const client = new KMSClient({
        endpoint: sandbox.url,
        region: region ?? sandbox.region,
        credentials: credentials(accessKeyId),
        // The SDK's default attempts: denials are not retried (tests see them as sent), while a pooled socket
        // the sandbox closed after its 5 s keep-alive, reused at that moment ("socket hang up"), is.
      });
      if (viaService) {
        client.middlewareStack.add(
          (next) => (args) => {
            (args.request as { headers: Record<string, string> }).headers["x-keyplane-via-service"] =
              viaService;
            return next(args);
          },
          { step: "build", name: "keyplaneViaService" },
        );
      }
      clients.push(client);
      return client;
    },
    sts(accessKeyId) {
      const client = new STSClient({
        endpoint: sandbox.url,
        region: sandbox.region,
        credentials: credentials(accessKeyId),
      });
      clients.push(client);
      return client;
    },
    env(accessKeyId) {
      return { ...sandbox.env(), AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: "any-string" };
    },
    async stop() {
      for (const client of clients) client.destroy();
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The access key of the CI user in `planPrincipals`: it signs Terraform's requests (the provider assumes the deploy role). */
export const CI_ACCESS_KEY = "AKIACIPIPELINE000001";

/**
 * Every principal of a plan with the identity policy `keyplane plan access` synthesizes for it, plus a CI
 * user of the security account that Terraform signs as (`CI_ACCESS_KEY`), and `extra` ones.
 */
export function planPrincipals(derived: DerivedPlan, extra: PrincipalSpec[] = []): PrincipalSpec[] {
  const access = planAccess(derived.plan.name, derived.stacks.flatMap(stackKeys));
  return [
    {
      arn: `arn:aws:iam::${derived.plan.accounts.security}:user/ci`,
      accessKeyId: CI_ACCESS_KEY,
      identityPolicies: [allow("sts:AssumeRole")],
    },
    ...access.identityPolicies.map((entry, index) => ({
      arn: entry.principal,
      accessKeyId: `AKIAPLANPRINCIPAL${String(index).padStart(3, "0")}`,
      identityPolicies: [entry.policy],
    })),
    ...extra,
  ];
}

/** The access key of `arn` among `principals`. */
export function accessKeyOf(principals: readonly PrincipalSpec[], arn: string): string {
  const found = principals.find((principal) => principal.arn === arn);
  if (!found) throw new Error(`no principal ${arn}`);
  return found.accessKeyId;
}
