/**
 * The real PostgreSQL the shared budgets are tested on: SCIM_BRIDGE_TEST_DATABASE_URL, or the local test
 * database (trust auth). Each test file works in a schema of its own, `t_<random>`, dropped afterwards,
 * so parallel runs and reruns never collide.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createBudgets, type Budgets, type BudgetSettings } from '../../src/budgets/index.js';
import type { PostgresBudgetsOptions } from '../../src/budgets/postgres/index.js';
import { IN_FLIGHT_BOUND_MS } from '../../src/budgets/postgres/native-rate.js';
import { captureLog } from '../connectors/http/support.js';
import { newSchemaName, testDatabaseUrl } from '../support/postgres.js';

export const DATABASE_URL = testDatabaseUrl();

export const randomSchema = newSchemaName;

/** Runs one statement on a connection of its own (not the budgets' pool). */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export const dropSchema = (schema: string): Promise<unknown> => sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);

/** The database's clock, in ms since the epoch (fractional). */
export async function databaseNow(): Promise<number> {
  const [row] = await sql<{ ms: number }>('SELECT 1000 * extract(epoch FROM clock_timestamp())::float8 AS ms');
  return row!.ms;
}

/** From now on every native call granted in `schema` is logged with the database time it was decided at (budgets ready first). */
export async function logNativeStarts(schema: string): Promise<void> {
  await sql(`CREATE TABLE "${schema}".start_log (key text NOT NULL, at timestamptz NOT NULL)`);
  await sql(`
    CREATE FUNCTION "${schema}".log_start() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- A grant appends its call's in-flight bound (start + IN_FLIGHT_BOUND_MS, far in the future); a call's
      -- end writes its end (about now) over one, which is no start.
      IF NEW.wait_ms = 0 AND NEW.starts[cardinality(NEW.starts)] > clock_timestamp() + make_interval(secs => ${IN_FLIGHT_BOUND_MS / 2000})
         AND (TG_OP = 'INSERT' OR NEW.starts[cardinality(NEW.starts)] IS DISTINCT FROM OLD.starts[cardinality(OLD.starts)]) THEN
        INSERT INTO "${schema}".start_log VALUES (NEW.key, NEW.starts[cardinality(NEW.starts)] - make_interval(secs => ${IN_FLIGHT_BOUND_MS / 1000}));
      END IF;
      RETURN NEW;
    END $$`);
  await sql(`CREATE TRIGGER log_start AFTER INSERT OR UPDATE ON "${schema}".budget_native_starts FOR EACH ROW EXECUTE FUNCTION "${schema}".log_start()`);
}

/** The logged starts of `key`, in ms since the epoch, oldest first. */
export async function nativeStarts(schema: string, key: string): Promise<number[]> {
  const rows = await sql<{ ms: number }>(`SELECT 1000 * extract(epoch FROM at)::float8 AS ms FROM "${schema}".start_log WHERE key = $1 ORDER BY at`, [key]);
  return rows.map((r) => r.ms);
}

/** Closes the budgets' connections from the server side, as an operator or a failover would. */
export const terminateBudgetConnections = (schema: string): Promise<unknown> =>
  sql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`scim-bridge budgets ${schema}`]);

export const SETTINGS: BudgetSettings = {
  failedAuth: { maxFailures: 3, windowSeconds: 3600, trackedAddresses: 1000 },
  appRateLimit: { requestsPerSecond: 1000, burst: 1000, apps: {} },
};

/** Shared budgets on `url`/`schema` (their own pool, as a replica has). */
export function sharedBudgets(
  schema: string,
  settings: BudgetSettings = SETTINGS,
  options: Partial<PostgresBudgetsOptions> = {},
  log = captureLog().log,
): Budgets {
  return createBudgets({ kind: 'postgres', url: DATABASE_URL, schema, ...options }, settings, { log });
}

/** A port nothing listens on (taken, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A "database" that accepts connections and never says a word: what a hung server looks like. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
