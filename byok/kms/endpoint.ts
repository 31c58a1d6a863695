import { usageError } from "../errors";

/** An endpoint override (`--endpoint-url`, AWS_ENDPOINT_URL_KMS): an http(s) URL, else a usage error. */
export function parseEndpointUrl(text: string, field = "--endpoint-url"): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) {
    throw usageError(`${field}: expected an http(s) URL like http://127.0.0.1:4566, got '${text}'`);
  }
  return text;
}
