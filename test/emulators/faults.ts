/**
 * Decides, per request, whether the emulator answers normally, refuses for rate, or fails — from the
 * faults a test switched on. Random failures come from a seeded PRNG so a fault test replays exactly.
 */
import type { FaultMode, Faults } from './types.js';

export type FaultDecision =
  | { kind: 'pass' }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: 'fail'; mode: FaultMode };

const MODES: readonly FaultMode[] = ['500', '503', '429', 'drop', 'slow'];
const DEFAULT_SLOW_MS = 30_000;

/** mulberry32: tiny, fast, and good enough to spread test failures; same seed, same sequence. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nonNegative(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new TypeError(`faults.${name} must be a finite number >= 0, got ${String(value)}`);
  }
}

/** Misuse by a test is a thrown TypeError at once, not a silently ignored fault. */
export function checkFaults(f: Faults): void {
  nonNegative('latencyMs', f.latencyMs);
  nonNegative('retryAfterSeconds', f.retryAfterSeconds);
  nonNegative('slowMs', f.slowMs);
  if (f.failRate !== undefined && !(f.failRate >= 0 && f.failRate <= 1)) {
    throw new TypeError(`faults.failRate must be within 0..1, got ${String(f.failRate)}`);
  }
  if (f.failWith !== undefined) {
    if (f.failWith.length === 0) throw new TypeError('faults.failWith must name at least one mode');
    for (const mode of f.failWith) {
      if (!MODES.includes(mode)) throw new TypeError(`faults.failWith: unknown mode ${String(mode)}`);
    }
  }
  if (f.failNext !== undefined) {
    if (!Number.isInteger(f.failNext.count) || f.failNext.count < 0) {
      throw new TypeError('faults.failNext.count must be an integer >= 0');
    }
    if (!MODES.includes(f.failNext.with)) throw new TypeError(`faults.failNext.with: unknown mode ${String(f.failNext.with)}`);
  }
  if (f.rateLimit !== undefined) {
    const rps = f.rateLimit.requestsPerSecond;
    if (!Number.isInteger(rps) || rps < 1) throw new TypeError('faults.rateLimit.requestsPerSecond must be an integer >= 1');
  }
}

export class FaultController {
  private faults: Faults = {};
  private random: () => number = seededRandom(1);
  private failNextLeft = 0;
  private windowStart = 0;
  private windowCount = 0;

  /** The emulator's clock (ms), which also stamps each request's arrival. */
  constructor(readonly clock: () => number) {}

  /** Replaces every fault; reseeds the PRNG and restarts the rate-limit window. */
  set(f: Faults): void {
    checkFaults(f);
    this.faults = structuredClone(f);
    this.random = seededRandom(f.seed ?? 1);
    this.failNextLeft = f.failNext?.count ?? 0;
    this.windowStart = 0;
    this.windowCount = 0;
  }

  get latencyMs(): number {
    return this.faults.latencyMs ?? 0;
  }

  get slowMs(): number {
    return this.faults.slowMs ?? DEFAULT_SLOW_MS;
  }

  get retryAfterSeconds(): number {
    return this.faults.retryAfterSeconds ?? 1;
  }

  /** Whether a request failing with `mode` is processed before its answer fails. */
  processesBeforeFailing(mode: FaultMode): boolean {
    return this.faults.processThenFail === true && (mode === '500' || mode === 'drop' || mode === 'slow');
  }

  /** Called once per request, in arrival order: every request counts toward the rate window. */
  decide(): FaultDecision {
    const limited = this.rateLimited();
    if (limited !== undefined) return { kind: 'rate-limited', retryAfterSeconds: limited };
    const next = this.faults.failNext;
    if (next !== undefined && this.failNextLeft > 0) {
      this.failNextLeft -= 1;
      return { kind: 'fail', mode: next.with };
    }
    const rate = this.faults.failRate ?? 0;
    if (rate > 0 && this.random() < rate) {
      const modes = this.faults.failWith ?? ['500'];
      const mode = modes[Math.floor(this.random() * modes.length)] ?? '500';
      return { kind: 'fail', mode };
    }
    return { kind: 'pass' };
  }

  /** Fixed 1-second windows: returns the seconds until the window ends when over budget. */
  private rateLimited(): number | undefined {
    const limit = this.faults.rateLimit;
    if (limit === undefined) return undefined;
    const now = this.clock();
    const windowStart = Math.floor(now / 1000) * 1000;
    if (windowStart !== this.windowStart) {
      this.windowStart = windowStart;
      this.windowCount = 0;
    }
    this.windowCount += 1;
    if (this.windowCount <= limit.requestsPerSecond) return undefined;
    return Math.max(1, Math.ceil((windowStart + 1000 - now) / 1000));
  }
}
