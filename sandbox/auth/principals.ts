/**
 * The principals file (`keyplane sandbox --principals FILE`, a contract: DESIGN.md, Sandbox): who signs with
 * which access key, in which account, with which IAM identity policies. Without the file the sandbox has one
 * principal, the account's `keyplane-sandbox` user, and every access key is that user (the behaviour before
 * principals existed).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { z } from "zod";
import { KeyplaneError } from "../../byok/errors";
import { type Estate, estateFields } from "../estate";

const IAM_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

const policyDocument = z
  .object({
    Statement: z.union([z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())]),
  })
  .loose();

const principalsSchema = z.strictObject({
  principals: z
    .array(
      z.strictObject({
        arn: z
          .string()
          .regex(IAM_ARN, "expected an IAM role or user ARN (arn:aws:iam::<12 digits>:role/NAME)"),
        accessKeyId: z
          .string()
          .regex(/^[A-Z0-9]{16,128}$/, "expected 16 to 128 upper-case letters or digits"),
        secretAccessKey: z.string().min(1),
        identityPolicies: z.array(policyDocument).default([]),
      }),
    )
    .min(1),
  ...estateFields,
});

export type PolicyDocumentJson = Record<string, unknown>;

/** Who made a request, as KMS and IAM see it. */
export interface Caller {
  /** The account whose resources the caller creates and names by key id. */
  accountId: string;
  /** What GetCallerIdentity answers and AccessDenied messages name (a role acts as an assumed-role session). */
  arn: string;
  /** `aws:PrincipalArn`: the role or user ARN (a session is matched by its role, as in AWS). */
  principalArn: string;
  userId: string;
  identityPolicies: readonly PolicyDocumentJson[];
}

/** Temporary credentials from AssumeRole. */
export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms; informational (the SDK refreshes before it), the sandbox does not expire sessions. */
  expiration: number;
  caller: Caller;
}

interface PrincipalEntry {
  arn: string;
  accountId: string;
  kind: "role" | "user";
  name: string;
  identityPolicies: PolicyDocumentJson[];
}

export class Principals {
  private readonly byAccessKey = new Map<string, PrincipalEntry>();
  private readonly roles = new Map<string, PrincipalEntry>();
  private readonly sessions = new Map<string, Session>();

  /** `entries` empty: the default principal answers for every access key. */
  private constructor(
    private readonly defaultAccount: string,
    entries: readonly (PrincipalEntry & { accessKeyId: string })[],
    /** The organization and Regions around the accounts (estate.ts). */
    readonly estate: Estate = { managementAccount: defaultAccount, suspendedAccounts: [], optInRegions: [] },
  ) {
    for (const { accessKeyId, ...entry } of entries) {
      this.byAccessKey.set(accessKeyId, entry);
      if (entry.kind === "role") this.roles.set(entry.arn, entry);
    }
  }

  static none(accountId: string): Principals {
    return new Principals(accountId, []);
  }

  static fromFile(file: string, defaultAccount: string): Principals {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new KeyplaneError("FILE", `${file}: cannot read the principals file (${reason})`);
    }
    const document = parseDocument(text, { uniqueKeys: true });
    if (document.errors[0]) {
      throw new KeyplaneError(
        "INVALID_INPUT",
        `${file}: not YAML (${document.errors[0].message.split("\n", 1)[0]})`,
      );
    }
    const result = principalsSchema.safeParse(document.toJS());
    if (!result.success) {
      const issue = result.error.issues[0];
      const path = issue?.path.length ? issue.path.join(".") : "principals";
      throw new KeyplaneError("INVALID_INPUT", `${file}: ${path}: ${issue?.message ?? "invalid"}`, {
        hint: "see DESIGN.md, Sandbox: principals[].arn, accessKeyId, secretAccessKey, identityPolicies",
      });
    }
    const seen = new Set<string>();
    const entries = result.data.principals.map((principal, index) => {
      if (seen.has(principal.accessKeyId)) {
        throw new KeyplaneError(
          "INVALID_INPUT",
          `${file}: principals.${index}.accessKeyId: ${principal.accessKeyId} is given twice`,
        );
      }
      seen.add(principal.accessKeyId);
      const match = IAM_ARN.exec(principal.arn) as RegExpExecArray;
      return {
        arn: principal.arn,
        accountId: match[1] as string,
        kind: match[2] as "role" | "user",
        name: match[3] as string,
        accessKeyId: principal.accessKeyId,
        identityPolicies: principal.identityPolicies,
      };
    });
    const { organization, optInRegions = [] } = result.data;
    return new Principals(defaultAccount, entries, {
      managementAccount: organization?.managementAccount ?? (entries[0] as PrincipalEntry).accountId,
      suspendedAccounts: organization?.suspendedAccounts ?? [],
      optInRegions,
    });
  }

  get enabled(): boolean {
    return this.byAccessKey.size > 0;
  }

  /** The accounts of the file (or the default one). */
  accounts(): string[] {
    if (!this.enabled) return [this.defaultAccount];
    return [...new Set([...this.byAccessKey.values()].map((entry) => entry.accountId))].sort();
  }

  /** The caller signing with `accessKeyId`; undefined when a principals file does not know the key. */
  caller(accessKeyId: string): Caller | undefined {
    const session = this.sessions.get(accessKeyId);
    if (session) return session.caller;
    if (!this.enabled) return defaultCaller(this.defaultAccount);
    const entry = this.byAccessKey.get(accessKeyId);
    if (!entry) return undefined;
    // A role has no long-term keys in AWS; signing with a role's key in the file acts as a session of it.
    return entry.kind === "role" ? sessionCaller(entry, "keyplane-sandbox") : userCaller(entry);
  }

  /**
   * AssumeRole: credentials for a role of the file (any role ARN in the caller's account when there is no
   * file). Trust policies are not modelled: every principal may assume every role. Undefined: unknown role.
   */
  assumeRole(roleArn: string, sessionName: string, durationSeconds: number): Session | undefined {
    let entry = this.roles.get(roleArn);
    if (!entry && !this.enabled) {
      const match = IAM_ARN.exec(roleArn);
      if (match?.[2] === "role") {
        entry = {
          arn: roleArn,
          accountId: match[1] as string,
          kind: "role",
          name: match[3] as string,
          identityPolicies: [],
        };
      }
    }
    if (!entry) return undefined;
    const session: Session = {
      accessKeyId: `ASIA${randomBase32(16)}`,
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: randomBytes(96).toString("base64"),
      expiration: Date.now() + durationSeconds * 1000,
      caller: sessionCaller(entry, sessionName),
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }
}

/**
 * Without a principals file the one caller is the account's administrator (IAM allows it everything), so
 * `--enforce-policies` alone still lets it work where key policies delegate to the account, as in AWS.
 */
const ADMINISTRATOR_ACCESS: readonly PolicyDocumentJson[] = [
  { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
];

function defaultCaller(accountId: string): Caller {
  const arn = `arn:aws:iam::${accountId}:user/keyplane-sandbox`;
  return {
    accountId,
    arn,
    principalArn: arn,
    userId: "AIDAKEYPLANESANDBOX00",
    identityPolicies: ADMINISTRATOR_ACCESS,
  };
}

function userCaller(entry: PrincipalEntry): Caller {
  return {
    accountId: entry.accountId,
    arn: entry.arn,
    principalArn: entry.arn,
    userId: uniqueId("AIDA", entry.arn),
    identityPolicies: entry.identityPolicies,
  };
}

/** An assumed-role session: `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION` (the role's path is dropped). */
function sessionCaller(entry: PrincipalEntry, sessionName: string): Caller {
  const partition = entry.arn.split(":", 2)[1];
  return {
    accountId: entry.accountId,
    arn: `arn:${partition}:sts::${entry.accountId}:assumed-role/${entry.name}/${sessionName}`,
    principalArn: entry.arn,
    userId: `${uniqueId("AROA", entry.arn)}:${sessionName}`,
    identityPolicies: entry.identityPolicies,
  };
}

/** IAM's unique ids (AIDA..., AROA...), stable per ARN so GetCallerIdentity answers the same each time. */
function uniqueId(prefix: string, arn: string): string {
  let hash = 0n;
  for (const char of arn) hash = (hash * 131n + BigInt(char.charCodeAt(0))) % 2n ** 80n;
  return prefix + hash.toString(32).toUpperCase().padStart(16, "0").slice(0, 16);
}

function randomBase32(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return [...randomBytes(length)].map((byte) => alphabet[byte % 32]).join("");
}
