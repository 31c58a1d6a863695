import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Caller, Principals, Session } from "./auth/principals";

/**
 * STS GetCallerIdentity and AssumeRole, so Terraform's provider, SDK profiles with `role_arn` and
 * `source_profile`, and keyplane's journal see who they are. The query protocol (form-encoded request, XML
 * answer) is what SDKs use; a JSON 1.0 twin serves SDKs that moved to it.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */

class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The caller of an STS request, or the error AWS answers for a key it does not know. */
export function stsCaller(principals: Principals, accessKeyId: string): Caller {
  const caller = principals.caller(accessKeyId);
  if (!caller) {
    throw new StsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
  }
  return caller;
}

type Answer = { kind: "identity"; caller: Caller } | { kind: "session"; session: Session };

function operate(
  principals: Principals,
  accessKeyId: string,
  action: string,
  params: URLSearchParams,
): Answer {
  const caller = stsCaller(principals, accessKeyId);
  if (action === "GetCallerIdentity") return { kind: "identity", caller };
  if (action !== "AssumeRole") {
    throw new StsError("InvalidAction", `Could not find operation ${action} for version 2011-06-15`, 400);
  }
  const roleArn = params.get("RoleArn") ?? "";
  const sessionName = params.get("RoleSessionName") ?? "";
  const duration = params.get("DurationSeconds") ?? "3600";
  if (roleArn.length < 20 || roleArn.length > 2048) {
    throw validation(roleArn, "roleArn", "Member must have length greater than or equal to 20");
  }
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
    throw validation(
      sessionName,
      "roleSessionName",
      "Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64",
    );
  }
  if (!/^\d+$/.test(duration) || Number(duration) < 900 || Number(duration) > 43200) {
    throw validation(duration, "durationSeconds", "Member must have value between 900 and 43200");
  }
  const session = principals.assumeRole(roleArn, sessionName, Number(duration));
  if (!session) {
    throw new StsError(
      "AccessDenied",
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    );
  }
  return { kind: "session", session };
}

function validation(value: string, member: string, constraint: string): StsError {
  return new StsError(
    "ValidationError",
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
    400,
  );
}

export function answerQuery(
  response: ServerResponse,
  body: string,
  principals: Principals,
  accessKeyId: string,
) {
  const requestId = randomUUID();
  const params = new URLSearchParams(body);
  const action = params.get("Action") ?? "";
  let answer: Answer;
  try {
    answer = operate(principals, accessKeyId, action, params);
  } catch (error) {
    if (!(error instanceof StsError)) throw error;
    const type = error.status >= 500 ? "Receiver" : "Sender";
    const xml =
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type>` +
      `<Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message>` +
      `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    send(response, error.status, "text/xml", xml, requestId);
    return;
  }
  const metadata = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
  const ns = 'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"';
  if (answer.kind === "identity") {
    const { caller } = answer;
    const xml =
      `<GetCallerIdentityResponse ${ns}><GetCallerIdentityResult>` +
      `<Arn>${escapeXml(caller.arn)}</Arn><UserId>${escapeXml(caller.userId)}</UserId><Account>${caller.accountId}</Account>` +
      `</GetCallerIdentityResult>${metadata}</GetCallerIdentityResponse>`;
    send(response, 200, "text/xml", xml, requestId);
    return;
  }
  const { session } = answer;
  const xml =
    `<AssumeRoleResponse ${ns}><AssumeRoleResult><AssumedRoleUser>` +
    `<Arn>${escapeXml(session.caller.arn)}</Arn><AssumedRoleId>${escapeXml(session.caller.userId)}</AssumedRoleId>` +
    `</AssumedRoleUser><Credentials><AccessKeyId>${session.accessKeyId}</AccessKeyId>` +
    `<SecretAccessKey>${session.secretAccessKey}</SecretAccessKey><SessionToken>${session.sessionToken}</SessionToken>` +
    `<Expiration>${new Date(session.expiration).toISOString()}</Expiration></Credentials>` +
    `</AssumeRoleResult>${metadata}</AssumeRoleResponse>`;
  send(response, 200, "text/xml", xml, requestId);
}

export function answerJson(
  response: ServerResponse,
  operation: string,
  body: Buffer,
  principals: Principals,
  accessKeyId: string,
): void {
  const requestId = randomUUID();
  let input: Record<string, unknown> = {};
  try {
    const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed))
      input = parsed as typeof input;
  } catch {
    // An unparsable body is answered like an empty one: the operation's own checks name what is missing.
  }
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(input)) {
    if (typeof value === "string" || typeof value === "number") params.set(name, String(value));
  }
  const type = "application/x-amz-json-1.0";
  let answer: Answer;
  try {
    answer = operate(principals, accessKeyId, operation, params);
  } catch (error) {
    if (!(error instanceof StsError)) throw error;
    send(
      response,
      error.status,
      type,
      JSON.stringify({ __type: error.code, message: error.message }),
      requestId,
    );
    return;
  }
  const output =
    answer.kind === "identity"
      ? { Account: answer.caller.accountId, Arn: answer.caller.arn, UserId: answer.caller.userId }
      : {
          AssumedRoleUser: { Arn: answer.session.caller.arn, AssumedRoleId: answer.session.caller.userId },
          Credentials: {
            AccessKeyId: answer.session.accessKeyId,
            SecretAccessKey: answer.session.secretAccessKey,
            SessionToken: answer.session.sessionToken,
            Expiration: answer.session.expiration / 1000,
          },
        };
  send(response, 200, type, JSON.stringify(output), requestId);
}

function send(response: ServerResponse, status: number, type: string, text: string, requestId: string): void {
  response.writeHead(status, {
    "Content-Type": type,
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": requestId,
  });
  response.end(text);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
