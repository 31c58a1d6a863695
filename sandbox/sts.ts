import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";

/**
 * STS GetCallerIdentity, so Terraform's provider and keyplane can ask who they are. The query protocol
 * (form-encoded request, XML answer) is what SDKs use; a JSON 1.0 twin serves SDKs that moved to it.
 */
export interface Identity {
  accountId: string;
}

function identityFields(identity: Identity) {
  return {
    Account: identity.accountId,
    Arn: `arn:aws:iam::${identity.accountId}:user/keyplane-sandbox`,
    UserId: "AIDAKEYPLANESANDBOX00",
  };
}

export function answerQuery(response: ServerResponse, body: string, identity: Identity): void {
  const requestId = randomUUID();
  const action = new URLSearchParams(body).get("Action");
  if (action !== "GetCallerIdentity") {
    const xml =
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
      `<Code>InvalidAction</Code><Message>Could not find operation ${escapeXml(action ?? "")} for version 2011-06-15</Message>` +
      `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    send(response, 400, "text/xml", xml, requestId);
    return;
  }
  const fields = identityFields(identity);
  const xml =
    `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
    `<Arn>${fields.Arn}</Arn><UserId>${fields.UserId}</UserId><Account>${fields.Account}</Account>` +
    `</GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    `</GetCallerIdentityResponse>`;
  send(response, 200, "text/xml", xml, requestId);
}

export function answerJson(response: ServerResponse, operation: string, identity: Identity): void {
  const requestId = randomUUID();
  if (operation !== "GetCallerIdentity") {
    const text = JSON.stringify({
      __type: "InvalidAction",
      message: `Could not find operation ${operation}`,
    });
    send(response, 400, "application/x-amz-json-1.0", text, requestId);
    return;
  }
  send(response, 200, "application/x-amz-json-1.0", JSON.stringify(identityFields(identity)), requestId);
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
