/**
 * Time as the native client sees it. Injected so that rate budgets, backoff and token lifetimes can be
 * tested without waiting (a fake clock advances when the test says so).
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** Monotonic milliseconds (never wall time: a clock step must not stretch a rate window). */
  now(): number;
  /**
   * Resolves after `ms`. The signal is a hint that lets the system clock drop its timer when the client
   * closes; callers never rely on a clock honouring it.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: async (ms, signal) => {
    if (ms <= 0) return;
    try {
      await delay(ms, undefined, signal === undefined ? undefined : { signal });
    } catch (err) {
      // An aborted sleep just ends early: whoever aborted it checks its own state next.
      if (!signal?.aborted) throw err;
    }
  },
};

/**
 * Sleeps on `clock`, ending early when `signal` aborts (whatever the clock does with the hint). The
 * abort listener is removed after every sleep, so a long-lived signal collects no reactions.
 */
export function sleepUnlessAborted(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    clock.sleep(ms, signal).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
