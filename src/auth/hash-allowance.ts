/**
 * How much expensive verification an address the failed-login throttle refuses may still cause: one
 * scrypt check per `intervalMs`. Cheap checks (a constant-time digest compare, a cached or RS256-verified
 * JWT, a hash verified recently) always run, so a valid credential is never refused for its address; a
 * secret stored as a scrypt hash and not verified lately needs one slow check, and this is what keeps a
 * brute force from a refused address from buying one per request. It bounds this process's CPU, so it is
 * this process's own (not a shared budget). Bounded memory: the least recent addresses are forgotten.
 */
import { LRUCache } from 'lru-cache';

export interface HashAllowanceOptions {
  intervalMs: number;
  trackedAddresses: number;
  now?: () => number;
}

export class HashAllowance {
  readonly #last: LRUCache<string, number>;
  readonly #now: () => number;

  constructor(private readonly options: HashAllowanceOptions) {
    if (!(options.intervalMs >= 0) || !(options.trackedAddresses >= 1)) throw new Error('HashAllowance: intervalMs ≥ 0 and trackedAddresses ≥ 1');
    this.#last = new LRUCache({ max: options.trackedAddresses });
    this.#now = options.now ?? Date.now;
  }

  /** True (and counted) when `address` may have one more expensive check now. */
  take(address: string): boolean {
    const now = this.#now();
    const last = this.#last.get(address);
    if (last !== undefined && now - last < this.options.intervalMs) return false;
    this.#last.set(address, now);
    return true;
  }
}
