/**
 * The budgets' own small connection pool, apart from the store's: a budget decision is one short
 * statement, and it must not queue behind the store's transactions (nor they behind it). Every wait on the
 * database is bounded, so a database that stops answering costs a request at most `timeoutMs` once per
 * outage (outage.ts answers the rest without asking).
 */
import pg from 'pg';
import { guardPool } from '../../store/postgres/database.js';

export interface PostgresBudgetsConfig {
  /** A postgres:// URL; it may hold a password, so it is never logged or put in an error. */
  url: string;
  /** The schema that holds the budget tables (created when missing). */
  schema: string;
  /** Connect, statement and read time limit, in ms. */
  timeoutMs?: number;
  /** While the database is down, how often one caller tries it again, in ms. */
  retryMs?: number;
}

/** What the configuration schema allows; the name still goes into `search_path` and DDL quoted. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const DEFAULT_TIMEOUT_MS = 1000;

/** Three connections: one statement per decision, and the decisions are short. */
const POOL_SIZE = 3;

export function openBudgetPool(config: PostgresBudgetsConfig): pg.Pool {
  if (!SCHEMA_NAME.test(config.schema)) throw new TypeError('shared budgets: the schema name must be 1-63 lowercase letters, digits or "_"');
  if (!/^postgres(ql)?:\/\//.test(config.url)) throw new TypeError('shared budgets: the database URL must be a postgres:// URL');
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: config.url,
    max: POOL_SIZE,
    options: `-c search_path="${config.schema}"`,
    application_name: `scim-bridge budgets ${config.schema}`,
    connectionTimeoutMillis: timeoutMs,
    // Server side for a statement stuck on a lock; client side for a server that stopped answering at all.
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 250,
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: true,
  });
  // A connection that dies (server restart, pg_terminate_backend) is dropped by the pool; the next
  // statement opens another or reports the outage.
  return guardPool(pool);
}
