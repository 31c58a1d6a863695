import { createHash, randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Principals } from "./auth/principals";

/**
 * AWS Organizations `ListAccounts` (AWS JSON 1.1, `X-Amz-Target: AWSOrganizationsV20161128.ListAccounts`),
 * so `keyplane audit --organization` runs against the sandbox. The organization holds the accounts of the
 * principals file (and its `organization.suspendedAccounts`); only its management account may list them
 * (delegated administrators are not modelled): any other caller gets AWS's AccessDeniedException.
 * Accounts carry `State`, not `Status`: AWS retired `Status` on 2026-09-09.
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html
 */
export const ORGANIZATIONS_PREFIX = "AWSOrganizationsV20161128.";

/** ListAccounts' MaxResults range; AWS pages by 20 when it is not given. */
const MAX_RESULTS = 20;
/** When the sandbox's accounts joined (a fixed time, so answers do not change between runs). */
const JOINED = Date.UTC(2020, 0, 1) / 1000;

class OrganizationsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function answerOrganizations(
  response: ServerResponse,
  target: string,
  body: Buffer,
  principals: Principals,
  accessKeyId: string,
): void {
  const requestId = randomUUID();
  let output: Record<string, unknown>;
  try {
    output = operate(target.slice(ORGANIZATIONS_PREFIX.length), body, principals, accessKeyId);
  } catch (error) {
    if (!(error instanceof OrganizationsError)) throw error;
    send(response, error.status, { __type: error.type, Message: error.message }, requestId);
    return;
  }
  send(response, 200, output, requestId);
}

function operate(
  operation: string,
  body: Buffer,
  principals: Principals,
  accessKeyId: string,
): Record<string, unknown> {
  const caller = principals.caller(accessKeyId);
  if (!caller) {
    throw new OrganizationsError(
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    );
  }
  if (operation !== "ListAccounts") {
    throw new OrganizationsError(
      "UnknownOperationException",
      `The sandbox answers Organizations ListAccounts only, not ${operation}`,
    );
  }
  const { managementAccount, suspendedAccounts } = principals.estate;
  if (caller.accountId !== managementAccount) {
    throw new OrganizationsError(
      "AccessDeniedException",
      "You don't have permissions to access this resource.",
    );
  }
  const input = parseInput(body);
  const limit = input.MaxResults ?? MAX_RESULTS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RESULTS) {
    throw new OrganizationsError(
      "InvalidInputException",
      `You provided a value that is outside the range 1-${MAX_RESULTS} for MaxResults.`,
    );
  }
  const offset = input.NextToken === undefined ? 0 : tokenOffset(input.NextToken);
  const ids = [...new Set([...principals.accounts(), ...suspendedAccounts])].sort();
  const organization = organizationId(managementAccount);
  const page = ids.slice(offset, offset + limit).map((id) => ({
    Id: id,
    Arn: `arn:aws:organizations::${managementAccount}:account/${organization}/${id}`,
    Email: `aws+${id}@example.com`,
    Name: id === managementAccount ? "management" : `account-${id}`,
    State: suspendedAccounts.includes(id) ? "SUSPENDED" : "ACTIVE",
    JoinedMethod: id === managementAccount ? "CREATED" : "INVITED",
    JoinedTimestamp: JOINED,
  }));
  const next = offset + page.length;
  return {
    Accounts: page,
    ...(next < ids.length ? { NextToken: Buffer.from(`keyplane:${next}`).toString("base64") } : {}),
  };
}

function parseInput(body: Buffer): { MaxResults?: number; NextToken?: string } {
  let parsed: unknown = {};
  try {
    if (body.length > 0) parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new OrganizationsError(
      "SerializationException",
      "Start of structure or map found where not expected.",
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new OrganizationsError(
      "SerializationException",
      "Start of structure or map found where not expected.",
    );
  }
  const { MaxResults, NextToken } = parsed as Record<string, unknown>;
  return {
    ...(typeof MaxResults === "number" ? { MaxResults } : {}),
    ...(typeof NextToken === "string" ? { NextToken } : {}),
  };
}

function tokenOffset(token: string): number {
  const decoded = /^keyplane:(\d+)$/.exec(Buffer.from(token, "base64").toString("utf8"));
  if (!decoded) throw new OrganizationsError("InvalidInputException", "The provided token is invalid.");
  return Number(decoded[1]);
}

/** `o-` and 10 lower-case letters or digits, stable per management account. */
function organizationId(managementAccount: string): string {
  return `o-${createHash("sha256").update(managementAccount).digest("hex").slice(0, 10)}`;
}

function send(response: ServerResponse, status: number, body: unknown, requestId: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/x-amz-json-1.1",
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": requestId,
  });
  response.end(text);
}
