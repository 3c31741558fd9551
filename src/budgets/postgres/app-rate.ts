/**
 * The per-app inbound rate shared by every replica: one token bucket row per app, refilled continuously on
 * the database's clock and drawn by one statement that locks the row (INSERT … ON CONFLICT DO UPDATE), so
 * the whole deployment never grants more than `burst + rate × elapsed`.
 *
 * It runs on every authenticated request, so a replica draws a small lease of tokens at once — what the app
 * may spend in LEASE_SECONDS of its sustained rate, at least one — and spends it locally, which makes one
 * round trip serve several requests (bench/budgets.ts measures both). A lease counts as spent in the
 * database the moment it is drawn, so leasing can only refuse early, never grant more than the bucket
 * holds; what a replica has not used after LEASE_TTL_MS is dropped, so tokens held by a quiet replica
 * cannot pile up into a burst later. For a slow app (under 1 / LEASE_SECONDS requests per second) a lease
 * is one token: a round trip per request, which at that rate costs nothing. A refusal is remembered until
 * the bucket would hold a token again, so a flood over the limit costs a round trip per refill, not one per
 * request.
 *
 * While the database is unreachable the limiter fails open (every request allowed) with one warning per
 * outage (outage.ts): refusing Entra because the budget cannot be counted would turn a database blip into
 * a provisioning outage, and the native rate budget still protects the downstream API.
 */
import type pg from 'pg';
import { secondsUntilToken } from '../memory/app-rate.js';
import type { InboundRate, Rate } from '../types.js';
import type { Outage } from './outage.js';

/** A lease is this many seconds of the app's sustained rate. */
export const LEASE_SECONDS = 0.05;
/** Leased tokens unused after this long are dropped. */
export const LEASE_TTL_MS = 1000;

/** Refills, then grants min(want, whole tokens): 0 when the bucket has no whole token (the row keeps the refill). */
const DRAW = `
INSERT INTO budget_inbound_buckets AS b (app, tokens, at, granted)
VALUES ($1, $3::float8 - least($4::int, $3::float8), clock_timestamp(), least($4::int, $3::float8)::int)
ON CONFLICT (app) DO UPDATE SET (tokens, at, granted) = (
  SELECT r.tokens - g.n, greatest(b.at, n.now), g.n
  FROM (SELECT clock_timestamp() AS now) n
  CROSS JOIN LATERAL (
    SELECT least($3::float8, b.tokens + greatest(0, extract(epoch FROM n.now - b.at)::float8) * $2::float8) AS tokens) r
  CROSS JOIN LATERAL (SELECT least($4::float8, floor(r.tokens))::int AS n) g)
RETURNING granted, tokens`;

interface Lease {
  tokens: number;
  until: number;
}

/** 'leased': tokens were added to the app's lease; 'open': allowed without counting (outage); else seconds to wait. */
type Draw = 'leased' | 'open' | number;

export interface LeaseOptions {
  leaseSeconds?: number;
  leaseTtlMs?: number;
}

export class SharedInboundRate implements InboundRate {
  readonly #leases = new Map<string, Lease>();
  /** Until when (performance.now) the app's bucket holds no whole token, as the last refusal said. */
  readonly #refusedUntil = new Map<string, number>();
  /** One draw per app in flight; concurrent requests of the app wait for it instead of drawing too. */
  readonly #drawing = new Map<string, Promise<Draw>>();
  readonly #leaseSeconds: number;
  readonly #leaseTtlMs: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly prepared: () => Promise<void>,
    private readonly outage: Outage,
    private readonly rateOf: (app: string) => Rate,
    options: LeaseOptions = {},
  ) {
    this.#leaseSeconds = options.leaseSeconds ?? LEASE_SECONDS;
    this.#leaseTtlMs = options.leaseTtlMs ?? LEASE_TTL_MS;
  }

  async take(app: string): Promise<number> {
    for (;;) {
      const refusedMs = (this.#refusedUntil.get(app) ?? 0) - performance.now();
      if (refusedMs > 0) return Math.max(1, Math.ceil(refusedMs / 1000));
      const lease = this.#leases.get(app);
      if (lease !== undefined && lease.tokens >= 1 && performance.now() < lease.until) {
        lease.tokens -= 1;
        return 0;
      }
      let drawing = this.#drawing.get(app);
      if (drawing === undefined) {
        drawing = this.#draw(app).finally(() => this.#drawing.delete(app));
        this.#drawing.set(app, drawing);
      }
      const drawn = await drawing;
      if (drawn === 'open') return 0;
      if (drawn !== 'leased') return drawn;
      // Tokens arrived; another waiter may have spent them first, then this one draws again.
    }
  }

  #draw(app: string): Promise<Draw> {
    const { requestsPerSecond, burst } = this.rateOf(app);
    const want = Math.max(1, Math.min(burst, Math.floor(requestsPerSecond * this.#leaseSeconds)));
    return this.outage.run<Draw>(
      async () => {
        await this.prepared();
        const values = [app, requestsPerSecond, burst, want];
        const row = (await this.pool.query<{ granted: number; tokens: number }>({ name: 'budget-inbound-draw', text: DRAW, values })).rows[0];
        if (row === undefined) throw new Error('shared inbound rate: the statement returned no row');
        if (row.granted === 0) {
          this.#refusedUntil.set(app, performance.now() + ((1 - row.tokens) / requestsPerSecond) * 1000);
          return secondsUntilToken(row.tokens, requestsPerSecond);
        }
        this.#leases.set(app, { tokens: row.granted, until: performance.now() + this.#leaseTtlMs });
        return 'leased';
      },
      () => 'open',
    );
  }
}
