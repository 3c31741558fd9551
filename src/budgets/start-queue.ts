/**
 * One native client's callers waiting for start grants, first come, first served: nothing jumps the queue,
 * so a slow trickle of new callers cannot starve an early one. Whether a start is granted is the grant
 * function's business — a window in this process, or one statement in the shared database; the queue only
 * serves its head, sleeping as long as the grant says, until the head may start.
 */
import { sleepUnlessAborted } from '../connectors/http/clock.js';
import type { NativeRate, Waiting } from './types.js';

/** 0: a start was granted and recorded now; otherwise the milliseconds to wait before asking again. */
export type StartGrant = () => number | Promise<number>;

type Waiter = { resolve: () => void; reject: (err: Error) => void };

export class StartQueue implements NativeRate {
  readonly #queue: Waiter[] = [];
  #pumping = false;
  #closedWith: Error | undefined;

  constructor(
    private readonly grant: StartGrant,
    private readonly waiting: Waiting,
  ) {}

  take(): Promise<void> {
    if (this.#closedWith !== undefined) return Promise.reject(this.#closedWith);
    const granted = new Promise<void>((resolve, reject) => this.#queue.push({ resolve, reject }));
    void this.#pump();
    return granted;
  }

  close(reason: Error): void {
    this.#closedWith = reason;
    for (const waiter of this.#queue.splice(0)) waiter.reject(reason);
  }

  /** One loop at a time serves the queue head, sleeping until the grant says a start may be free. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      // An aborted signal ends every sleep at once: stop rather than spin (close() rejects the waiters).
      while (this.#queue.length > 0 && this.#closedWith === undefined && !this.waiting.signal.aborted) {
        let waitMs: number;
        try {
          waitMs = await this.grant();
        } catch (err) {
          // A grant that throws is a bug (the shared one falls back by itself): the head learns of it.
          this.#queue.shift()?.reject(err instanceof Error ? err : new Error(String(err)));
          continue;
        }
        // Closed while the grant was on its way: the waiters are rejected already.
        if (this.#closedWith !== undefined) break;
        if (waitMs <= 0) {
          this.#queue.shift()?.resolve();
          continue;
        }
        await sleepUnlessAborted(this.waiting.clock, waitMs, this.waiting.signal);
      }
    } finally {
      this.#pumping = false;
    }
  }
}
