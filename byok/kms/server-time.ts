import type { KMSClient } from "@aws-sdk/client-kms";

interface HttpResponseShape {
  headers?: Record<string, string | undefined>;
}

const clocks = new WeakMap<KMSClient, { offsetMs: number }>();

/**
 * Expiry is judged by KMS's clock, not this machine's: every KMS response carries an HTTP `Date` header,
 * and the offset it shows is kept per client. Without one (no call yet, or an endpoint that does not send
 * it) the local clock is used.
 */
export function trackServerTime(client: KMSClient): void {
  if (clocks.has(client)) return;
  const clock = { offsetMs: 0 };
  clocks.set(client, clock);
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as HttpResponseShape;
      const date = response.headers?.date ?? response.headers?.Date;
      const server = date ? Date.parse(date) : Number.NaN;
      // The header has one-second resolution; smaller offsets are noise.
      if (!Number.isNaN(server)) {
        const offset = server - Date.now();
        clock.offsetMs = Math.abs(offset) > 2000 ? offset : 0;
      }
      return result;
    },
    { step: "deserialize", name: "keyplaneServerTime" },
  );
}

/** Now, as KMS sees it (see trackServerTime). */
export function serverNow(client: KMSClient): Date {
  return new Date(Date.now() + (clocks.get(client)?.offsetMs ?? 0));
}
