/**
 * The budgets that must hold for a whole deployment, not per process: the native API's request rate, the
 * per-app inbound rate and the failed-login throttle. One factory (index.ts) gives all three, in memory
 * (one process) or shared through PostgreSQL (several replicas); callers see the same interfaces.
 */
import type { Clock } from '../connectors/http/clock.js';

/**
 * A native API's budget: never more than `burst` calls counted in any window of `burst / requestsPerSecond`
 * s. A call counts from its start until one window after it ended, so however late it reaches the API
 * (which counts arrivals), it cannot fall into a window its start was not counted in.
 */
export interface NativeRateLimit {
  requestsPerSecond: number;
  burst: number;
}

/** What a waiting caller sleeps on, and what ends its wait (the native client's lifetime). */
export interface Waiting {
  clock: Clock;
  signal: AbortSignal;
}

/** One native client's way to the start budget; callers are served first come, first served. */
export interface NativeRate {
  /**
   * Resolves at the moment the caller may start one request (recorded as in flight) with the function the
   * caller must call once that request has ended (answered, failed or aborted); rejects once closed.
   */
  take(): Promise<Ended>;
  /** Rejects every waiter with `reason`, and every later take. */
  close(reason: Error): void;
}

/** Records that a granted call ended; calling it again does nothing. */
export type Ended = () => void;

/** Native rates of one key (an app) share one budget, however many clients and replicas ask. */
export type NativeRates = (key: string, limit: NativeRateLimit, waiting: Waiting) => NativeRate;

/** What a native client draws its start budget from, the key already chosen (src/connectors/http). */
export type NativeRateSource = (limit: NativeRateLimit, waiting: Waiting) => NativeRate;

/** Inbound request rate of one app: a token bucket. */
export interface Rate {
  /** Sustained requests per second (fractions allowed). */
  requestsPerSecond: number;
  /** Requests allowed at once above the sustained rate (the bucket's size). */
  burst: number;
}

export interface InboundRate {
  /** Takes one request from the app's bucket: 0 when allowed, else the whole seconds until one is available. */
  take(app: string): Promise<number>;
}

/** Failed authentications per client address, in a fixed window that starts at the first failure. */
export interface AuthFailures {
  /** Seconds until `address` is no longer refused; 0 when it has failures left. */
  blockedFor(address: string): Promise<number>;
  /**
   * Counts one failure from `address`. Resolves with the seconds the address stays refused when it had
   * used up its failures before this one (so the caller answers 429, not 401), else 0.
   */
  failed(address: string): Promise<number>;
}

export interface FailedAuthSettings {
  maxFailures: number;
  windowSeconds: number;
  /** Addresses remembered at once in memory (least recently failed are forgotten first). */
  trackedAddresses: number;
}

/** What the budgets are sized by: the `security` section of the configuration. */
export interface BudgetSettings {
  failedAuth: FailedAuthSettings;
  appRateLimit: Rate & { apps: Record<string, Rate> };
}

export interface Budgets {
  readonly kind: 'memory' | 'postgres';
  nativeRate: NativeRates;
  inboundRate: InboundRate;
  authFailures: AuthFailures;
  /** Prepares what the budgets keep (tables); never throws for an unreachable database (the budgets fail safe). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** The few log calls the budgets make; a pino logger fits. */
export interface BudgetLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}
