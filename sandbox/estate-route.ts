import type { IncomingMessage, ServerResponse } from "node:http";
import { answerListRegions, LIST_REGIONS_PATH } from "./account-regions";
import type { Principals } from "./auth/principals";
import { signingAccessKey } from "./auth/request";
import { answerOrganizations, ORGANIZATIONS_PREFIX } from "./organizations";
import { signedRegion } from "./protocol";

/**
 * Routes the estate's two requests beside KMS: Organizations (JSON 1.1 by X-Amz-Target) and Account
 * `ListRegions` (REST JSON by path). Answers and returns true when the request is one of them.
 */
export function answerEstate(
  request: IncomingMessage,
  response: ServerResponse,
  path: string | undefined,
  body: Buffer,
  principals: Principals,
): boolean {
  const target = request.headers["x-amz-target"];
  const organizations = typeof target === "string" && target.startsWith(ORGANIZATIONS_PREFIX);
  if (!organizations && path !== LIST_REGIONS_PATH) return false;
  signedRegion(request);
  if (organizations) answerOrganizations(response, target, body, principals, signingAccessKey(request));
  else answerListRegions(request, response, body, principals);
  return true;
}
