import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Principals } from "./auth/principals";
import { signingAccessKey } from "./auth/request";
import { DEFAULT_REGIONS, OPT_IN_REGIONS } from "./estate";

/**
 * AWS Account `ListRegions` (REST JSON: `POST /listRegions`), so `keyplane audit` without `--regions` finds
 * every enabled Region of each account against the sandbox. Every account has AWS's default Regions
 * (`ENABLED_BY_DEFAULT`) and the principals file's `optInRegions` (`ENABLED`); the other opt-in Regions of
 * the aws partition are `DISABLED`. `AccountId` (another account's Regions) is for the management account,
 * and names a member account, as in AWS.
 * https://docs.aws.amazon.com/accounts/latest/reference/API_ListRegions.html
 */
export const LIST_REGIONS_PATH = "/listRegions";

const STATUSES = ["ENABLED", "ENABLING", "DISABLING", "DISABLED", "ENABLED_BY_DEFAULT"];
const MAX_RESULTS = 50;

class AccountError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function answerListRegions(
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
  principals: Principals,
): void {
  const requestId = randomUUID();
  try {
    send(response, 200, listRegions(principals, signingAccessKey(request), body), requestId);
  } catch (error) {
    if (!(error instanceof AccountError)) throw error;
    send(response, error.status, { message: error.message }, requestId, error.type);
  }
}

function listRegions(principals: Principals, accessKeyId: string, body: Buffer): Record<string, unknown> {
  const caller = principals.caller(accessKeyId);
  if (!caller) {
    throw new AccountError(
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
      403,
    );
  }
  const input = parseInput(body);
  if (input.AccountId !== undefined) {
    const { managementAccount } = principals.estate;
    if (caller.accountId !== managementAccount || !principals.accounts().includes(input.AccountId)) {
      throw new AccountError(
        "AccessDeniedException",
        `User: ${caller.arn} is not authorized to perform: account:ListRegions on account ${input.AccountId}`,
        403,
      );
    }
    if (input.AccountId === managementAccount) {
      throw validation("The management account can't specify its own AccountId; omit it");
    }
  }
  const limit = input.MaxResults ?? MAX_RESULTS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RESULTS) {
    throw validation(`MaxResults must be between 1 and ${MAX_RESULTS}`);
  }
  const wanted = input.RegionOptStatusContains;
  if (wanted?.some((status) => !STATUSES.includes(status))) {
    throw validation(`RegionOptStatusContains must hold values among ${STATUSES.join(", ")}`);
  }
  const enabled = principals.estate.optInRegions;
  const regions = [
    ...DEFAULT_REGIONS.map((name) => ({ RegionName: name, RegionOptStatus: "ENABLED_BY_DEFAULT" })),
    ...OPT_IN_REGIONS.map((name) => ({
      RegionName: name,
      RegionOptStatus: enabled.includes(name) ? "ENABLED" : "DISABLED",
    })),
  ]
    .filter((region) => !wanted || wanted.includes(region.RegionOptStatus))
    .sort((a, b) => a.RegionName.localeCompare(b.RegionName));
  const offset = input.NextToken === undefined ? 0 : tokenOffset(input.NextToken);
  const page = regions.slice(offset, offset + limit);
  const next = offset + page.length;
  return {
    Regions: page,
    ...(next < regions.length ? { NextToken: Buffer.from(`keyplane:${next}`).toString("base64") } : {}),
  };
}

interface ListRegionsInput {
  AccountId?: string;
  MaxResults?: number;
  NextToken?: string;
  RegionOptStatusContains?: string[];
}

function parseInput(body: Buffer): ListRegionsInput {
  let parsed: unknown = {};
  try {
    if (body.length > 0) parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw validation("The request body is not JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw validation("The request body is not a JSON object");
  }
  const { AccountId, MaxResults, NextToken, RegionOptStatusContains } = parsed as Record<string, unknown>;
  if (AccountId !== undefined && (typeof AccountId !== "string" || !/^\d{12}$/.test(AccountId))) {
    throw validation("AccountId must be 12 digits");
  }
  const statuses = Array.isArray(RegionOptStatusContains) ? RegionOptStatusContains.map(String) : undefined;
  return {
    ...(typeof AccountId === "string" ? { AccountId } : {}),
    ...(typeof MaxResults === "number" ? { MaxResults } : {}),
    ...(typeof NextToken === "string" ? { NextToken } : {}),
    ...(statuses ? { RegionOptStatusContains: statuses } : {}),
  };
}

function tokenOffset(token: string): number {
  const decoded = /^keyplane:(\d+)$/.exec(Buffer.from(token, "base64").toString("utf8"));
  if (!decoded) throw validation("The NextToken is invalid");
  return Number(decoded[1]);
}

function validation(message: string): AccountError {
  return new AccountError("ValidationException", message, 400);
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  errorType?: string,
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": requestId,
    ...(errorType ? { "x-amzn-ErrorType": errorType } : {}),
  });
  response.end(text);
}
