/**
 * How a shared budget lives through a database outage: the decision goes to the database while it
 * answers; once a call fails (refused, terminated, timed out) the budget uses its fallback at once for
 * every caller, without waiting on the database, and lets one caller at a time probe it again every
 * `retryMs`. One warning line when an episode starts and one info line when it ends — never one per
 * request, which would flood the log exactly when the operator needs it.
 */
import type { BudgetLog } from '../types.js';

export interface OutageOptions {
  /** Names the budget and what its fallback means, for the two log lines. */
  budget: string;
  fallback: string;
  log: BudgetLog;
  retryMs: number;
  now?: () => number;
}

export class Outage {
  #down = false;
  #probing = false;
  #nextProbeAt = 0;
  readonly #now: () => number;

  constructor(private readonly options: OutageOptions) {
    this.#now = options.now ?? Date.now;
  }

  get down(): boolean {
    return this.#down;
  }

  async run<T>(shared: () => Promise<T>, fallback: () => T): Promise<T> {
    if (this.#down && (this.#probing || this.#now() < this.#nextProbeAt)) return fallback();
    const probe = this.#down;
    if (probe) this.#probing = true;
    try {
      const result = await shared();
      if (this.#down) {
        this.#down = false;
        this.options.log.info({ budget: this.options.budget }, 'shared budget: database reachable again');
      }
      return result;
    } catch (err) {
      this.#fail(err);
      return fallback();
    } finally {
      if (probe) this.#probing = false;
    }
  }

  #fail(err: unknown): void {
    this.#nextProbeAt = this.#now() + this.options.retryMs;
    if (this.#down) return;
    this.#down = true;
    // The error's code only: a driver message can name the host, the user or the database.
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
    this.options.log.warn(
      { budget: this.options.budget, code, retryMs: this.options.retryMs },
      `shared budget: database unavailable, ${this.options.fallback} until it answers again`,
    );
  }
}
