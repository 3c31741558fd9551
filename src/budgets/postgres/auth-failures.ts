/**
 * Failed authentications per client address, counted across every replica: one row per address, counted
 * by one statement on the database's clock, in a fixed window that starts at the first failure (as in
 * memory). While the database is unreachable the throttle fails open — nobody is refused for failures it
 * cannot count — with one warning per outage (outage.ts): the credential check still refuses bad secrets.
 */
import type pg from 'pg';
import { checkFailedAuthSettings } from '../memory/auth-failures.js';
import type { AuthFailures, FailedAuthSettings } from '../types.js';
import type { Outage } from './outage.js';

const FAILED = `
INSERT INTO budget_auth_failures AS f (address, failures, ends_at)
VALUES ($1, 1, clock_timestamp() + make_interval(secs => $2::float8))
ON CONFLICT (address) DO UPDATE SET (failures, ends_at) = (
  SELECT CASE WHEN f.ends_at <= n.now THEN 1 ELSE f.failures + 1 END,
         CASE WHEN f.ends_at <= n.now THEN n.now + make_interval(secs => $2::float8) ELSE f.ends_at END
  FROM (SELECT clock_timestamp() AS now) n)
RETURNING failures, 1000 * extract(epoch FROM ends_at - clock_timestamp())::float8 AS left_ms`;

const BLOCKED = `
SELECT failures, 1000 * extract(epoch FROM ends_at - clock_timestamp())::float8 AS left_ms
FROM budget_auth_failures WHERE address = $1`;

/** Windows that have ended are reset by the next failure anyway; this only keeps the table small. */
const FORGET = 'DELETE FROM budget_auth_failures WHERE ends_at < clock_timestamp()';
const FORGET_EVERY_MS = 60_000;

type Row = { failures: number; left_ms: number };

export class SharedAuthFailures implements AuthFailures {
  readonly #forget: NodeJS.Timeout;

  constructor(
    private readonly pool: pg.Pool,
    private readonly prepared: () => Promise<void>,
    private readonly outage: Outage,
    private readonly settings: FailedAuthSettings,
  ) {
    checkFailedAuthSettings(settings);
    this.#forget = setInterval(() => {
      if (!outage.down) pool.query(FORGET).catch(() => {});
    }, FORGET_EVERY_MS);
    this.#forget.unref();
  }

  blockedFor(address: string): Promise<number> {
    return this.outage.run(async () => {
      await this.prepared();
      const row = (await this.pool.query<Row>({ name: 'budget-auth-blocked', text: BLOCKED, values: [address] })).rows[0];
      return row !== undefined && row.failures >= this.settings.maxFailures ? seconds(row.left_ms) : 0;
    }, failOpen);
  }

  failed(address: string): Promise<number> {
    return this.outage.run(async () => {
      await this.prepared();
      const values = [address, this.settings.windowSeconds];
      const row = (await this.pool.query<Row>({ name: 'budget-auth-failed', text: FAILED, values })).rows[0];
      if (row === undefined) throw new Error('shared failed-login throttle: the statement returned no row');
      return row.failures > this.settings.maxFailures ? Math.max(1, seconds(row.left_ms)) : 0;
    }, failOpen);
  }

  stop(): void {
    clearInterval(this.#forget);
  }
}

const failOpen = (): number => 0;

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));
