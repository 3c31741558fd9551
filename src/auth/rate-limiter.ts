/**
 * Inbound request rate per app: a token bucket each, refilled continuously. Counted after
 * authentication, so unauthenticated floods cannot spend an app's budget and starve Entra.
 */

export interface Rate {
  requestsPerSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class AppRateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  constructor(
    private readonly rateOf: (app: string) => Rate,
    now: () => number = Date.now,
  ) {
    this.#now = now;
  }

  /** Takes one request from the app's bucket: 0 when allowed, else the seconds until one is available. */
  take(app: string): number {
    const { requestsPerSecond, burst } = this.rateOf(app);
    const now = this.#now();
    const bucket = this.#buckets.get(app) ?? { tokens: burst, at: now };
    const tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * requestsPerSecond);
    if (tokens >= 1) {
      this.#buckets.set(app, { tokens: tokens - 1, at: now });
      return 0;
    }
    this.#buckets.set(app, { tokens, at: now });
    return Math.max(1, Math.ceil((1 - tokens) / requestsPerSecond));
  }
}
