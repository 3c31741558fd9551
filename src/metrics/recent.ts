/**
 * What each app did in the last few minutes, for the admin page: requests and server errors, native
 * calls and their failures, time spent waiting on the rate budget. Counted in 10-second buckets over a
 * five-minute ring, so the page shows rates without querying Prometheus.
 */
import type { NativeCallEvent } from '../connectors/http/types.js';

const BUCKET_MS = 10_000;
const BUCKETS = 30;

interface Bucket {
  start: number;
  requests: number;
  clientErrors: number;
  serverErrors: number;
  nativeCalls: number;
  nativeErrors: number;
  nativeRetries: number;
  rateWaitMs: number;
  /** The last native call's status, if any was made in the window (0: no answer). */
  lastNativeStatus?: number;
}

export interface ActivitySummary extends Omit<Bucket, 'start'> {
  windowSeconds: number;
  /** Native calls per second over the window. */
  nativeRate: number;
}

const empty = (start: number): Bucket => ({ start, requests: 0, clientErrors: 0, serverErrors: 0, nativeCalls: 0, nativeErrors: 0, nativeRetries: 0, rateWaitMs: 0 });

export class RecentActivity {
  readonly #apps = new Map<string, Bucket[]>();

  constructor(private readonly now: () => number = Date.now) {}

  request(app: string, status: number): void {
    const b = this.#bucket(app);
    b.requests += 1;
    if (status >= 500) b.serverErrors += 1;
    else if (status >= 400) b.clientErrors += 1;
  }

  nativeCall(app: string, event: NativeCallEvent): void {
    const b = this.#bucket(app);
    b.nativeCalls += 1;
    if (event.outcome === 'error') b.nativeErrors += 1;
    if (event.outcome === 'retry') b.nativeRetries += 1;
    b.rateWaitMs += event.rateWaitMs ?? 0;
    b.lastNativeStatus = event.status ?? 0;
  }

  summary(app: string): ActivitySummary {
    const since = this.now() - BUCKET_MS * BUCKETS;
    const live = (this.#apps.get(app) ?? []).filter((b) => b.start > since);
    const sum = (key: keyof Omit<Bucket, 'start' | 'lastNativeStatus'>) => live.reduce((total, b) => total + b[key], 0);
    const windowSeconds = (BUCKET_MS * BUCKETS) / 1000;
    const last = [...live].reverse().find((b) => b.lastNativeStatus !== undefined)?.lastNativeStatus;
    return {
      windowSeconds,
      requests: sum('requests'),
      clientErrors: sum('clientErrors'),
      serverErrors: sum('serverErrors'),
      nativeCalls: sum('nativeCalls'),
      nativeErrors: sum('nativeErrors'),
      nativeRetries: sum('nativeRetries'),
      nativeRate: sum('nativeCalls') / windowSeconds,
      rateWaitMs: Math.round(sum('rateWaitMs')),
      ...(last === undefined ? {} : { lastNativeStatus: last }),
    };
  }

  #bucket(app: string): Bucket {
    const start = Math.floor(this.now() / BUCKET_MS) * BUCKET_MS;
    let ring = this.#apps.get(app);
    if (!ring) this.#apps.set(app, (ring = []));
    const last = ring[ring.length - 1];
    if (last && last.start === start) return last;
    const fresh = empty(start);
    ring.push(fresh);
    if (ring.length > BUCKETS) ring.shift();
    return fresh;
  }
}
