/**
 * The native start budget in one process: a token bucket of `burst` tokens in which each spent token
 * comes back exactly `burst / rate` seconds after it was spent, rather than trickling back continuously.
 * A continuously refilled bucket lets `burst + rate` requests into one second (a full bucket, then the
 * refill); an API that counts requests per second refuses the excess. This one never starts more than
 * `burst` requests in any window of `burst / rate` seconds — with the default burst (= rate), never more
 * than `rate` in any second — and still averages `rate` per second under sustained load.
 */
import type { Clock } from '../../connectors/http/clock.js';
import type { NativeRateLimit } from '../types.js';

/** The window's length in ms; throws on a limit no budget can keep (checked when a client is built). */
export function windowMs(limit: NativeRateLimit): number {
  const { requestsPerSecond, burst } = limit;
  if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) throw new TypeError('requestsPerSecond must be a positive number');
  if (!Number.isInteger(burst) || burst < 1) throw new TypeError('burst must be an integer >= 1');
  return (burst * 1000) / requestsPerSecond;
}

export class StartWindow {
  /** Start times of the last grants, oldest first (at most the largest burst asked with). */
  readonly #starts: number[] = [];

  constructor(private readonly clock: Clock) {}

  /**
   * Records a start now and answers 0 when `limit` allows one, else the whole milliseconds (at least one:
   * a fractional wait could round to no progress on some clocks) until the oldest counted start expires.
   */
  grant(limit: NativeRateLimit): number {
    const periodMs = windowMs(limit);
    const now = this.clock.now();
    const counted = this.#starts.length - limit.burst;
    const oldest = this.#starts[Math.max(0, counted)];
    if (counted >= 0 && oldest !== undefined && now < oldest + periodMs) return Math.max(1, Math.ceil(oldest + periodMs - now));
    this.#starts.push(now);
    // Only the last `burst` starts can ever refuse a grant.
    if (this.#starts.length > limit.burst) this.#starts.splice(0, this.#starts.length - limit.burst);
    return 0;
  }
}

/** One window per key, so every client of one app in this process draws on the same budget. */
export class StartWindows {
  readonly #windows = new Map<string, StartWindow>();

  of(key: string, clock: Clock): StartWindow {
    let window = this.#windows.get(key);
    if (!window) {
      window = new StartWindow(clock);
      this.#windows.set(key, window);
    }
    return window;
  }
}
