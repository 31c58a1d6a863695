import type { KMSClient } from "@aws-sdk/client-kms";
import { KeyplaneError } from "../errors";
import { CRYPTOGRAPHIC_OPERATIONS, quotaOf } from "../vocabulary/kms-quotas";

/**
 * Client-side pacing to KMS's request quotas. A fleet scan or batch import that sends as fast as it can is
 * throttled, and each ThrottlingException costs a backoff far longer than the wait it tried to skip; paced
 * just under the quota, the same work finishes at the rate the quota allows with no throttles at all.
 * Throttles caused by other callers sharing the account's quota are retried with backoff (see client.ts).
 */

/** Pace to this share of each quota: headroom for clock jitter between here and KMS. */
const SHARE_OF_QUOTA = 0.95;
/** Burst allowed after idling, as seconds of quota: KMS allows one second's worth, this leaves half. */
const BURST_SECONDS = 0.5;
/**
 * A quota under 2 per second (GetParametersForImport: 1) holds under two tokens, so it cannot absorb one
 * request arriving a little late and the next on time: 5 % of a second is less than a loaded machine's jitter.
 * Such quotas keep this much time between requests on top of the quota's own interval.
 */
const SMALL_QUOTA_SLACK_MS = 100;

/**
 * Generic cell rate algorithm: each quota has a theoretical arrival time; a request may go once it is no
 * more than the burst tolerance ahead of that time, else it waits until it is.
 */
export class QuotaPacer {
  private readonly arrivals = new Map<string, number>();
  private readonly turns = new Map<string, Promise<void>>();

  constructor(
    private readonly scale = 1,
    private readonly clock: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Milliseconds to wait before sending one request against `quota` (already booked when returned). */
  book(quota: string, ratePerSecond: number): number {
    const allowed = ratePerSecond * this.scale;
    const rate = allowed * SHARE_OF_QUOTA;
    const interval = allowed < 2 ? Math.max(1000 / rate, 1000 / allowed + SMALL_QUOTA_SLACK_MS) : 1000 / rate;
    const tolerance = interval * Math.max(0, Math.floor(rate * BURST_SECONDS) - 1);
    const now = this.clock();
    const arrival = Math.max(this.arrivals.get(quota) ?? now, now);
    const sendAt = Math.max(now, arrival - tolerance);
    this.arrivals.set(quota, arrival + interval);
    return sendAt - now;
  }

  /**
   * Waits for one request's turn against `quota`. Turns are booked one after another, each when the one
   * before it leaves: an event loop too busy to fire timers on time (a CPU-bound fleet scan) then lets them
   * out at most a burst tolerance apart, where turns booked ahead would all fire together when it catches
   * up and overflow KMS's one-second bucket (seen: 6 GetKeyLastUsage within 15 ms against a 5/s quota).
   */
  take(quota: string, ratePerSecond: number): Promise<void> {
    const turn = (this.turns.get(quota) ?? Promise.resolve()).then(async () => {
      const wait = this.book(quota, ratePerSecond);
      if (wait > 0) await this.sleep(wait);
    });
    this.turns.set(quota, turn);
    return turn;
  }
}

const pacers = new Map<string, QuotaPacer>();

/**
 * `KEYPLANE_KMS_QUOTA_SCALE`: 1 paces to AWS's default quotas; an account with raised quotas sets e.g. 2;
 * 0 turns pacing off.
 */
export function quotaScale(): number {
  const text = process.env.KEYPLANE_KMS_QUOTA_SCALE;
  if (text === undefined || text === "") return 1;
  const scale = Number(text);
  if (!Number.isFinite(scale) || scale < 0) {
    throw new KeyplaneError(
      "USAGE",
      `KEYPLANE_KMS_QUOTA_SCALE: expected a number >= 0 (1 = AWS's default quotas, 0 = no pacing), got '${text}'`,
    );
  }
  return scale;
}

/**
 * Paces every management and import call `client` makes. Clients of one process share a pacer per
 * endpoint, account and Region, as KMS's quotas are per account and Region.
 */
export function paceToQuotas(
  client: KMSClient,
  endpoint: string | undefined,
  scale = quotaScale(),
  account = "default",
): void {
  if (scale === 0) return;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? "").replace(/Command$/, "");
      if (!CRYPTOGRAPHIC_OPERATIONS.has(operation)) {
        const region = await client.config.region();
        const { quota, rate } = quotaOf(operation, region);
        if (rate !== undefined) {
          const id = `${endpoint ?? "aws"}|${account}|${scale}`;
          const pacer = pacers.get(id) ?? new QuotaPacer(scale);
          pacers.set(id, pacer);
          await pacer.take(`${region}/${quota}`, rate);
        }
      }
      return next(args);
    },
    { step: "initialize", name: "keyplaneQuotaPacer" },
  );
}
