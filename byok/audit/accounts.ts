/**
 * `--accounts FILE`: the accounts to audit, as YAML or JSON — a list of account ids or role ARNs, or
 * `{accounts: [...]}`. An account id needs `--role-name`, the role assumed in it; a role ARN names its own.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { invalidInput, KeyplaneError, usageError } from "../errors";

export interface AuditTarget {
  account: string;
  /** The role assumed in the account; undefined: the caller's own credentials. */
  roleArn?: string;
}

const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const ROLE_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

export function parseAccountsFile(file: string, roleName: string | undefined): AuditTarget[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new KeyplaneError(
      "FILE",
      `--accounts ${file}: cannot read (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch {
    throw invalidInput(`${file}: not YAML or JSON`);
  }
  const list =
    document !== null && typeof document === "object" && !Array.isArray(document)
      ? (document as Record<string, unknown>).accounts
      : document;
  if (!Array.isArray(list) || list.length === 0) {
    throw invalidInput(`${file}: expected a list of account ids or role ARNs (or accounts: [...])`);
  }
  return list.map((entry, index) => targetOf(entry, `${file}: accounts[${index}]`, roleName));
}

/** One entry: a 12-digit account id (with --role-name) or a role ARN. */
export function targetOf(entry: unknown, where: string, roleName: string | undefined): AuditTarget {
  const text = typeof entry === "number" ? String(entry) : entry;
  if (typeof text === "string" && /^\d{12}$/.test(text)) {
    if (!roleName) throw usageError(`${where}: account ${text} needs --role-name (the role to assume in it)`);
    return { account: text, roleArn: `arn:aws:iam::${text}:role/${roleName}` };
  }
  const match = typeof text === "string" ? ROLE_ARN.exec(text) : null;
  if (!match?.[2]) {
    throw invalidInput(
      `${where}: expected a 12-digit account id or a role ARN, got ${JSON.stringify(entry)}`,
    );
  }
  return { account: match[2], roleArn: String(text) };
}

export function assertRoleName(roleName: string): void {
  if (!ROLE_NAME.test(roleName)) throw usageError(`--role-name: '${roleName}' is not an IAM role name`);
}
