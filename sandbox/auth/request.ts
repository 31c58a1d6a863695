import type { IncomingMessage } from "node:http";

/** The access key id of a SigV4 `Authorization` header (its `Credential=AKID/date/region/service/aws4_request`). */
export function signingAccessKey(request: IncomingMessage): string {
  const header = request.headers.authorization ?? "";
  return /Credential=([^/,\s]+)\//.exec(header)?.[1] ?? "";
}

/** The sandbox-only header marking a call as made through an AWS service (sets `kms:ViaService`). */
export function viaService(request: IncomingMessage): string | undefined {
  const header = request.headers["x-keyplane-via-service"];
  return typeof header === "string" && header.length > 0 ? header : undefined;
}
