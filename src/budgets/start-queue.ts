/**
 * One native client's callers waiting for start grants, first come, first served: nothing jumps the queue,
 * so a slow trickle of new callers cannot starve an early one. Whether a start is granted is the grant
 * function's business — a window in this process, or one statement in the shared database; the queue only
 * serves its head, sleeping as long as the grant says, until the head may start.
 */
import { sleepUnlessAborted } from '../connectors/http/clock.js';
import type { Ended, NativeRate, Waiting } from './types.js';

/** A start granted and recorded as in flight, with what records its end (which may fail: it is best effort). */
export interface Granted {
  end(): void | Promise<void>;
}

/** A start granted (`Granted`), or the milliseconds to wait before asking again. */
export type StartGrant = () => number | Granted | Promise<number | Granted>;

type Waiter = { resolve: (ended: Ended) => void; reject: (err: Error) => void };

/** The caller's end function: once only, and never throwing (a lost end only keeps the call counted longer). */
function endOnce(granted: Granted): Ended {
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    try {
      void Promise.resolve(granted.end()).catch(() => {});
    } catch {
      // Same as a rejected end: the start stays counted as in flight until its bound.
    }
  };
}

export class StartQueue implements NativeRate {
  readonly #queue: Waiter[] = [];
  #pumping = false;
  #closedWith: Error | undefined;

  constructor(
    private readonly grant: StartGrant,
    private readonly waiting: Waiting,
  ) {}

  take(): Promise<Ended> {
    if (this.#closedWith !== undefined) return Promise.reject(this.#closedWith);
    const granted = new Promise<Ended>((resolve, reject) => this.#queue.push({ resolve, reject }));
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
        let answer: number | Granted;
        try {
          answer = await this.grant();
        } catch (err) {
          // A grant that throws is a bug (the shared one falls back by itself): the head learns of it.
          this.#queue.shift()?.reject(err instanceof Error ? err : new Error(String(err)));
          continue;
        }
        // Closed while the grant was on its way: the waiters are rejected already.
        if (this.#closedWith !== undefined) {
          if (typeof answer !== 'number') endOnce(answer)();
          break;
        }
        if (typeof answer !== 'number') {
          const head = this.#queue.shift();
          if (head) head.resolve(endOnce(answer));
          else endOnce(answer)();
          continue;
        }
        await sleepUnlessAborted(this.waiting.clock, Math.max(1, answer), this.waiting.signal);
      }
    } finally {
      this.#pumping = false;
    }
  }
}
