/**
 * The native call budget in one process: a sliding window in which each call counts from the moment it
 * starts until one window after it ended. Counting only starts is not enough: the API counts arrivals, and
 * a call that left at 0.999 s may arrive at 1.003 s, in the same second as the calls started a window after
 * it. A call's arrival lies between its start and its end; counting it over that whole span plus a window,
 * no window of arrivals can hold more than `burst` calls (whatever the delays) — at the cost of one
 * latency per window of throughput. With the default burst (= rate), never more than `rate` in any second,
 * and still close to `rate` per second under sustained load.
 */
import type { Clock } from '../../connectors/http/clock.js';
import { MAX_TIMEOUT_MS } from '../../plugins/format.js';
import type { NativeRateLimit } from '../types.js';

/**
 * The longest a native call can be in flight (the largest `connection.timeoutMs` a plugin may set): a call
 * whose end is never recorded stops counting a window after it. The same in memory and in PostgreSQL.
 */
export const IN_FLIGHT_BOUND_MS = MAX_TIMEOUT_MS;

/** The window's length in ms; throws on a limit no budget can keep (checked when a client is built). */
export function windowMs(limit: NativeRateLimit): number {
  const { requestsPerSecond, burst } = limit;
  if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) throw new TypeError('requestsPerSecond must be a positive number');
  if (!Number.isInteger(burst) || burst < 1) throw new TypeError('burst must be an integer >= 1');
  return (burst * 1000) / requestsPerSecond;
}

/** One counted call: in flight (`end` is its in-flight bound, start + IN_FLIGHT_BOUND_MS) or ended at `end`. */
interface Counted {
  end: number;
}

export class StartWindow {
  /** Calls that may still count, in start order (ended ones leave once a window has passed since). */
  #counted: Counted[] = [];

  constructor(private readonly clock: Clock) {}

  /**
   * Records a call in flight and answers its end function when `limit` allows one; else the whole
   * milliseconds (at least one: a fractional wait could round to no progress on some clocks) until the
   * first counted call stops counting, at most one window (when every counted call is in flight, asking
   * again then costs at most one call's latency).
   */
  grant(limit: NativeRateLimit): number | { end: () => void } {
    const periodMs = windowMs(limit);
    const now = this.clock.now();
    this.#counted = this.#counted.filter((call) => call.end + periodMs > now);
    if (this.#counted.length >= limit.burst) {
      const firstEnd = Math.min(...this.#counted.map((call) => call.end));
      return Math.max(1, Math.ceil(Math.min(firstEnd + periodMs - now, periodMs)));
    }
    const call: Counted = { end: now + IN_FLIGHT_BOUND_MS };
    this.#counted.push(call);
    return { end: () => void (call.end = Math.min(call.end, this.clock.now())) };
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
