/**
 * The native call budget shared by every replica: one row per key (an app) holding, for each call that may
 * still count, its end time — or, while it is in flight, the latest it can end (its start plus the longest
 * native timeout), so a replica that dies mid-call leaves nothing counted forever. A call counts until one
 * window after its end (see memory/start-window.ts for why a start alone is not enough). Decided by one
 * statement on the database's clock (replicas on different hosts agree on it). The statement locks the row
 * (INSERT … ON CONFLICT DO UPDATE), so two replicas can never both take the last call of a window; the
 * call's end is a second statement that writes the end over the in-flight bound (see END). A refused caller
 * learns how long until the first counted call stops counting and sleeps that long on its own clock (a
 * duration, so clock offsets between hosts do not matter), then asks again; FIFO holds within a process
 * (start-queue.ts), not across replicas.
 *
 * Only the rate is shared: it is what the vendor counts. The concurrency limit stays a per-process
 * semaphore in the native client; N replicas may have N × `concurrency` requests in flight.
 *
 * While the database is unreachable, each process falls back to its own in-memory window for the key — the
 * plain local budget, so N replicas may briefly start N × `burst` per window — with one warning per outage.
 * An end that cannot be written leaves the call counted until its in-flight bound.
 */
import type pg from 'pg';
import { IN_FLIGHT_BOUND_MS, StartWindows, windowMs } from '../memory/start-window.js';
import { StartQueue, type Granted } from '../start-queue.js';
import type { NativeRateLimit, NativeRates } from '../types.js';
import type { Outage } from './outage.js';

/** The longest a native call can be in flight (memory/start-window.ts: both budgets count a call as long). */
export { IN_FLIGHT_BOUND_MS };

/**
 * Keeps the entries that still count (ended less than a window ago, or in flight), and grants when fewer
 * than `burst` do: then appends the new call's in-flight bound and answers it (as text, exact to the
 * microsecond) to identify the call's end. Otherwise leaves the row as it was and answers the wait in ms
 * (at least 1, at most one window: a database clock stepped back must not stall the budget for longer).
 */
const START = `
INSERT INTO budget_native_starts AS r (key, starts, wait_ms) VALUES ($1, ARRAY[clock_timestamp() + make_interval(secs => $4::float8 / 1000)], 0)
ON CONFLICT (key) DO UPDATE SET (starts, wait_ms) = (
  SELECT CASE WHEN w.ms > 0 THEN r.starts ELSE l.live || (n.now + make_interval(secs => $4::float8 / 1000)) END, w.ms
  FROM (SELECT clock_timestamp() AS now) n
  CROSS JOIN LATERAL (
    SELECT coalesce(array_agg(e ORDER BY e), '{}') AS live FROM unnest(r.starts) e
    WHERE e + make_interval(secs => $3::float8 / 1000) > n.now) l
  CROSS JOIN LATERAL (
    SELECT CASE WHEN cardinality(l.live) < $2::int THEN 0
      ELSE greatest(1, least($3::float8, ceil(1000 * extract(epoch FROM
        l.live[1] + make_interval(secs => $3::float8 / 1000) - n.now))))::int
    END AS ms) w)
RETURNING wait_ms, starts[cardinality(starts)]::text AS call`;

/**
 * The call's end over its in-flight bound (none left when it no longer counts): its start on the
 * database's clock (the bound less IN_FLIGHT_BOUND_MS) plus how long it took as this process measured it
 * from before it asked for the start — never earlier than the real end, and not later by however long
 * this statement itself waited for a connection.
 */
const END = `
UPDATE budget_native_starts SET starts = ARRAY(
  SELECT CASE WHEN e::text = $2 THEN e + make_interval(secs => ($4::float8 - $3::float8) / 1000) ELSE e END FROM unnest(starts) e)
WHERE key = $1`;

export function sharedNativeRates(pool: pg.Pool, prepared: () => Promise<void>, outage: Outage): NativeRates {
  const fallback = new StartWindows();
  const start = async (key: string, limit: NativeRateLimit, periodMs: number): Promise<number | Granted> => {
    await prepared();
    const asked = performance.now();
    const result = await pool.query<{ wait_ms: number; call: string }>({ name: 'budget-native-start', text: START, values: [key, limit.burst, periodMs, IN_FLIGHT_BOUND_MS] });
    const row = result.rows[0];
    if (row === undefined) throw new Error('shared native rate: the statement returned no row');
    if (row.wait_ms > 0) return row.wait_ms;
    return {
      end: async () => {
        const tookMs = performance.now() - asked;
        await pool.query({ name: 'budget-native-end', text: END, values: [key, row.call, IN_FLIGHT_BOUND_MS, tookMs] });
      },
    };
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
