/**
 * Failed authentications counted per client address in a fixed window that starts at the first failure.
 * Past the limit, the address is refused (429) until its window ends, whatever it sends: otherwise a
 * brute force would keep the expensive checks busy. Per address, so one attacker cannot lock out Entra.
 * Successes do not reset the count: behind a shared NAT, a legitimate caller would keep resetting it
 * for an attacker. Bounded memory: the least recently failing addresses are forgotten first.
 */
import { LRUCache } from 'lru-cache';

export interface FailureThrottleOptions {
  maxFailures: number;
  windowSeconds: number;
  trackedAddresses: number;
  now?: () => number;
}

interface Window {
  failures: number;
  endsAt: number;
}

export class FailedAuthThrottle {
  readonly #windows: LRUCache<string, Window>;
  readonly #now: () => number;

  constructor(private readonly options: FailureThrottleOptions) {
    if (options.maxFailures < 1 || options.windowSeconds <= 0) throw new Error('FailedAuthThrottle: maxFailures ≥ 1 and windowSeconds > 0');
    this.#windows = new LRUCache({ max: options.trackedAddresses });
    this.#now = options.now ?? Date.now;
  }

  /** Seconds until `address` may try again; 0 when it may now. */
  blockedFor(address: string): number {
    const window = this.#windows.peek(address);
    if (!window) return 0;
    const left = window.endsAt - this.#now();
    if (left <= 0) {
      this.#windows.delete(address);
      return 0;
    }
    return window.failures >= this.options.maxFailures ? Math.ceil(left / 1000) : 0;
  }

  recordFailure(address: string): void {
    const now = this.#now();
    const window = this.#windows.get(address);
    if (!window || window.endsAt <= now) {
      this.#windows.set(address, { failures: 1, endsAt: now + this.options.windowSeconds * 1000 });
      return;
    }
    window.failures += 1;
  }
}
