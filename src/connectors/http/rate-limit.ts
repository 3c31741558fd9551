/**
 * A native API's budget, held by one client (one app) across all its concurrent callers: at most
 * `concurrency` requests in flight and a request-rate limit. The rate comes from the budgets
 * (src/budgets/): in memory, or shared by every replica; the concurrency limit is this process's own.
 */
import { localNativeRate, type Ended, type NativeRateSource } from '../../budgets/index.js';
import type { Clock } from './clock.js';
import type { ConnectionSettings } from './types.js';

type Waiter = { resolve: () => void; reject: (err: Error) => void };

/** Counting semaphore with a FIFO queue; a released slot passes straight to the oldest waiter. */
export class Semaphore {
  readonly #waiters: Waiter[] = [];
  #free: number;
  #closedWith: Error | undefined;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new TypeError('concurrency must be an integer >= 1');
    this.#free = limit;
  }

  /** Resolves with the slot's release function (calling it twice releases once). */
  async acquire(): Promise<() => void> {
    if (this.#closedWith !== undefined) throw this.#closedWith;
    if (this.#free > 0 && this.#waiters.length === 0) {
      this.#free -= 1;
    } else {
      await new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next !== undefined) next.resolve();
      else this.#free += 1;
    };
  }

  close(reason: Error): void {
    this.#closedWith = reason;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(reason);
  }
}

/** The per-client budget: a concurrency slot first, then a start token (from a budget of the client's own unless `source` is given). */
export interface RateBudget {
  /**
   * Waits for a concurrency slot. The start token is taken separately (`start`), right before the
   * request goes out, so the recorded start time is the real one even when the slot took a while; the
   * function it resolves with must be called once the request has ended (the call counts until then).
   */
  slot(): Promise<() => void>;
  start(): Promise<Ended>;
  close(reason: Error): void;
}

export function createRateBudget(limit: ConnectionSettings['rateLimit'], clock: Clock, signal: AbortSignal, source: NativeRateSource = localNativeRate): RateBudget {
  // Default burst: one second's worth (at least one request); an explicit one is checked as given.
  const burst = limit.burst ?? Math.max(1, Math.floor(limit.requestsPerSecond));
  const semaphore = new Semaphore(limit.concurrency);
  const rate = source({ requestsPerSecond: limit.requestsPerSecond, burst }, { clock, signal });
  return {
    slot: () => semaphore.acquire(),
    start: () => rate.take(),
    close: (reason) => {
      semaphore.close(reason);
      rate.close(reason);
    },
  };
}
