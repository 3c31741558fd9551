/**
 * Inbound request rate per app in one process: a token bucket each, refilled continuously. Counted after
 * authentication, so unauthenticated floods cannot spend an app's budget and starve Entra.
 */
import type { InboundRate, Rate } from '../types.js';

interface Bucket {
  tokens: number;
  at: number;
}

export class MemoryInboundRate implements InboundRate {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly rateOf: (app: string) => Rate,
    private readonly now: () => number = Date.now,
  ) {}

  /** Synchronous inside: nothing else runs between reading the bucket and writing it. */
  async take(app: string): Promise<number> {
    const { requestsPerSecond, burst } = this.rateOf(app);
    const now = this.now();
    const bucket = this.#buckets.get(app) ?? { tokens: burst, at: now };
    const tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * requestsPerSecond);
    if (tokens >= 1) {
      this.#buckets.set(app, { tokens: tokens - 1, at: now });
      return 0;
    }
    this.#buckets.set(app, { tokens, at: now });
    return secondsUntilToken(tokens, requestsPerSecond);
  }
}

/** Whole seconds (at least one) until a bucket holding `tokens` has one to give: a Retry-After. */
export function secondsUntilToken(tokens: number, requestsPerSecond: number): number {
  return Math.max(1, Math.ceil((1 - tokens) / requestsPerSecond));
}
