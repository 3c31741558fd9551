/**
 * A native API's budget, held by one client (one app) across all its concurrent callers: at most
 * `concurrency` requests in flight and a request-rate limit. Waiters are served first come, first served;
 * nothing jumps the queue, so a slow trickle of new callers cannot starve an early one.
 */
import { sleepUnlessAborted, type Clock } from './clock.js';
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

/**
 * A token bucket of `burst` tokens in which each spent token comes back exactly `burst / rate` seconds
 * after it was spent, rather than trickling back continuously. A continuously refilled bucket lets
 * `burst + rate` requests into one second (a full bucket, then the refill); an API that counts requests
 * per second refuses the excess. This one never starts more than `burst` requests in any window of
 * `burst / rate` seconds — with the default burst (= rate), never more than `rate` in any second — and
 * still averages `rate` per second under sustained load.
 */
export class RequestRate {
  /** Start times of the last `burst` grants, oldest first. */
  readonly #starts: number[] = [];
  readonly #queue: Waiter[] = [];
  readonly #periodMs: number;
  #pumping = false;
  #closedWith: Error | undefined;

  constructor(
    requestsPerSecond: number,
    readonly burst: number,
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
  ) {
    if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) throw new TypeError('requestsPerSecond must be a positive number');
    if (!Number.isInteger(burst) || burst < 1) throw new TypeError('burst must be an integer >= 1');
    this.#periodMs = (burst * 1000) / requestsPerSecond;
  }

  /** Resolves at the moment the caller may start one request (and records that start). */
  take(): Promise<void> {
    if (this.#closedWith !== undefined) return Promise.reject(this.#closedWith);
    if (this.#queue.length === 0 && this.#grantNow()) return Promise.resolve();
    const granted = new Promise<void>((resolve, reject) => this.#queue.push({ resolve, reject }));
    void this.#pump();
    return granted;
  }

  close(reason: Error): void {
    this.#closedWith = reason;
    for (const waiter of this.#queue.splice(0)) waiter.reject(reason);
  }

  /** Spends a token when one is back in the bucket. */
  #grantNow(): boolean {
    const now = this.clock.now();
    const oldest = this.#starts[0];
    if (this.#starts.length >= this.burst && oldest !== undefined && now < oldest + this.#periodMs) return false;
    if (this.#starts.length >= this.burst) this.#starts.shift();
    this.#starts.push(now);
    return true;
  }

  /** One loop at a time serves the queue head, sleeping until the oldest token returns. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && this.#closedWith === undefined) {
        if (this.#grantNow()) {
          this.#queue.shift()?.resolve();
          continue;
        }
        const oldest = this.#starts[0] ?? this.clock.now();
        // Whole milliseconds, at least one: a fractional wait could round to no progress on some clocks.
        const waitMs = Math.max(1, Math.ceil(oldest + this.#periodMs - this.clock.now()));
        await sleepUnlessAborted(this.clock, waitMs, this.signal);
      }
    } finally {
      this.#pumping = false;
    }
  }
}

/** The per-client budget: a concurrency slot first, then a start token. */
export interface RateBudget {
  /**
   * Waits for a concurrency slot. The start token is taken separately (`start`), right before the
   * request goes out, so the recorded start time is the real one even when the slot took a while.
   */
  slot(): Promise<() => void>;
  start(): Promise<void>;
  close(reason: Error): void;
}

export function createRateBudget(limit: ConnectionSettings['rateLimit'], clock: Clock, signal: AbortSignal): RateBudget {
  // Default burst: one second's worth (at least one request); an explicit one is checked as given.
  const burst = limit.burst ?? Math.max(1, Math.floor(limit.requestsPerSecond));
  const semaphore = new Semaphore(limit.concurrency);
  const rate = new RequestRate(limit.requestsPerSecond, burst, clock, signal);
  return {
    slot: () => semaphore.acquire(),
    start: () => rate.take(),
    close: (reason) => {
      semaphore.close(reason);
      rate.close(reason);
    },
  };
}
