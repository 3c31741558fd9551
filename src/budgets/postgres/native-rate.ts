/**
 * The native start budget shared by every replica: one row per key (an app) holding the start times of its
 * last `burst` grants, decided by one statement on the database's clock (replicas on different hosts agree
 * on it). The statement locks the row (INSERT … ON CONFLICT DO UPDATE), so two replicas can never both
 * take the last start of a window. A refused caller learns how long until the oldest counted start leaves
 * the window and sleeps that long on its own clock (a duration, so clock offsets between hosts do not
 * matter), then asks again; FIFO holds within a process (start-queue.ts), not across replicas.
 *
 * Only the rate is shared: it is what the vendor counts. The concurrency limit stays a per-process
 * semaphore in the native client; N replicas may have N × `concurrency` requests in flight.
 *
 * While the database is unreachable, each process falls back to its own in-memory window for the key — the
 * plain local budget, so N replicas may briefly start N × `burst` per window — with one warning per outage.
 */
import type pg from 'pg';
import { StartWindows, windowMs } from '../memory/start-window.js';
import { StartQueue } from '../start-queue.js';
import type { NativeRateLimit, NativeRates } from '../types.js';
import type { Outage } from './outage.js';

/**
 * Grants when fewer than `burst` starts are recorded or the `burst`-th most recent one is a whole window
 * old; then keeps the last `burst` starts. Otherwise leaves the row as it was and answers the wait in ms
 * (at least 1, at most one window: a database clock stepped back must not stall the budget for longer).
 */
const START = `
INSERT INTO budget_native_starts AS r (key, starts, wait_ms) VALUES ($1, ARRAY[clock_timestamp()], 0)
ON CONFLICT (key) DO UPDATE SET (starts, wait_ms) = (
  SELECT CASE WHEN w.ms > 0 THEN r.starts ELSE r.starts[greatest(1, cardinality(r.starts) - $2::int + 2):] || n.now END, w.ms
  FROM (SELECT clock_timestamp() AS now) n
  CROSS JOIN LATERAL (
    SELECT CASE WHEN cardinality(r.starts) < $2::int THEN 0
      ELSE greatest(0, least($3::float8, ceil(1000 * extract(epoch FROM
        r.starts[cardinality(r.starts) - $2::int + 1] + make_interval(secs => $3::float8 / 1000) - n.now))))::int
    END AS ms) w)
RETURNING wait_ms`;

export function sharedNativeRates(pool: pg.Pool, prepared: () => Promise<void>, outage: Outage): NativeRates {
  const fallback = new StartWindows();
  const start = async (key: string, limit: NativeRateLimit, periodMs: number): Promise<number> => {
    await prepared();
    const result = await pool.query<{ wait_ms: number }>({ name: 'budget-native-start', text: START, values: [key, limit.burst, periodMs] });
    const waitMs = result.rows[0]?.wait_ms;
    if (waitMs === undefined) throw new Error('shared native rate: the statement returned no row');
    return waitMs;
  };
  return (key, limit, waiting) => {
    const periodMs = windowMs(limit);
    const local = fallback.of(key, waiting.clock);
    return new StartQueue(
      () =>
        outage.run(
          () => start(key, limit, periodMs),
          () => local.grant(limit),
        ),
      waiting,
    );
  };
}
