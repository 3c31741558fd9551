/**
 * Failed authentications per client address in one process, in a fixed window that starts at the first
 * failure (no sliding lockout). Successes do not reset the count: behind a shared NAT, a legitimate caller
 * would keep resetting it for an attacker. Bounded memory: the least recently failing addresses are
 * forgotten first.
 */
import { LRUCache } from 'lru-cache';
import type { AuthFailures, FailedAuthSettings } from '../types.js';

interface Window {
  failures: number;
  endsAt: number;
}

export function checkFailedAuthSettings(settings: FailedAuthSettings): void {
  if (!(settings.maxFailures >= 1) || !(settings.windowSeconds > 0)) throw new Error('failed-login throttle: maxFailures ≥ 1 and windowSeconds > 0');
}

export class MemoryAuthFailures implements AuthFailures {
  readonly #windows: LRUCache<string, Window>;

  constructor(
    private readonly settings: FailedAuthSettings,
    private readonly now: () => number = Date.now,
  ) {
    checkFailedAuthSettings(settings);
    this.#windows = new LRUCache({ max: settings.trackedAddresses });
  }

  async blockedFor(address: string): Promise<number> {
    const window = this.#windows.peek(address);
    if (!window) return 0;
    const left = window.endsAt - this.now();
    if (left <= 0) {
      this.#windows.delete(address);
      return 0;
    }
    return window.failures >= this.settings.maxFailures ? Math.ceil(left / 1000) : 0;
  }

  async failed(address: string): Promise<number> {
    const now = this.now();
    const window = this.#windows.get(address);
    if (!window || window.endsAt <= now) {
      this.#windows.set(address, { failures: 1, endsAt: now + this.settings.windowSeconds * 1000 });
      return 0;
    }
    window.failures += 1;
    return window.failures > this.settings.maxFailures ? Math.ceil((window.endsAt - now) / 1000) : 0;
  }
}
