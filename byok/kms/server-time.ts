import type { KMSClient } from "@aws-sdk/client-kms";

interface HttpResponseShape {
  headers?: Record<string, string | undefined>;
}

interface ServerClock {
  offsetMs: number;
  /** Read once, before the first request completes. */
  sandboxChecked?: Promise<void>;
  /** A sandbox's own clock wins over its Date headers (Node's HTTP server stamps those with real time). */
  fromSandbox?: boolean;
}

const clocks = new WeakMap<KMSClient, ServerClock>();

/** The local time differs from the server's by less than the Date header's resolution: ignore it. */
const HEADER_RESOLUTION_MS = 2000;

/**
 * Expiry and rotation are judged by KMS's clock, not this machine's. KMS answers every request with an HTTP
 * `Date` header; the offset it shows is kept per client. A keyplane sandbox moves its clock for rehearsals
 * and answers `GET /_sandbox/clock` (DESIGN.md): with a custom endpoint, that clock is read once, so a
 * rehearsal of expiry sees the sandbox's time. Without either, the local clock is used.
 */
export function trackServerTime(client: KMSClient, endpoint?: string): void {
  if (clocks.has(client)) return;
  const clock: ServerClock = { offsetMs: 0 };
  clocks.set(client, clock);
  client.middlewareStack.add(
    (next) => async (args) => {
      clock.sandboxChecked ??= (async () => {
        const custom = endpoint ?? (await configuredEndpoint(client));
        if (custom) await readSandboxClock(custom, clock);
      })();
      await clock.sandboxChecked;
      const result = await next(args);
      const response = result.response as HttpResponseShape;
      const date = response.headers?.date ?? response.headers?.Date;
      const server = date ? Date.parse(date) : Number.NaN;
      if (!Number.isNaN(server) && !clock.fromSandbox) {
        const offset = server - Date.now();
        clock.offsetMs = Math.abs(offset) > HEADER_RESOLUTION_MS ? offset : 0;
      }
      return result;
    },
    { step: "deserialize", name: "keyplaneServerTime" },
  );
}

/**
 * The endpoint the SDK takes from the shared config (a profile's `endpoint_url` or `services` section, or
 * AWS_ENDPOINT_URL): the client resolves it once and keeps the answer.
 */
async function configuredEndpoint(client: KMSClient): Promise<string | undefined> {
  const resolve = (client.config as { serviceConfiguredEndpoint?: () => Promise<string | undefined> })
    .serviceConfiguredEndpoint;
  try {
    return resolve ? await resolve() : undefined;
  } catch {
    return undefined;
  }
}

async function readSandboxClock(endpoint: string, clock: ServerClock): Promise<void> {
  try {
    const response = await fetch(new URL("/_sandbox/clock", endpoint), { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return;
    const body = (await response.json()) as { now?: unknown };
    const now = typeof body.now === "string" ? Date.parse(body.now) : Number.NaN;
    if (!Number.isNaN(now)) {
      const offset = now - Date.now();
      clock.offsetMs = Math.abs(offset) > HEADER_RESOLUTION_MS ? offset : 0;
      clock.fromSandbox = true;
    }
  } catch {
    // Not a sandbox (or not answering): KMS's Date headers, or the local clock, decide.
  }
}

/** Now, as KMS sees it (see trackServerTime). */
export function serverNow(client: KMSClient): Date {
  return new Date(Date.now() + (clocks.get(client)?.offsetMs ?? 0));
}
