/**
 * The store's connections: one pg Pool, and the three ways the store uses it — statements outside a
 * transaction (`idempotent`), one statement that writes and is its own transaction (`write`), and one
 * transaction (`transaction`). Each hands back every client it takes, and a client whose connection
 * broke is released with the error, so the pool drops it and opens a new one when the server is back:
 * nothing needs restarting.
 *
 * Retries, all bounded: a pooled connection can turn out dead (the server restarted, or an administrator
 * terminated it) only when it is used, so work that failed that way before its COMMIT was sent runs again
 * on another connection — once per connection the pool may hold. A transaction the server rolled back
 * for a deadlock or serialization failure runs again a few times. A COMMIT whose answer was lost is not
 * retried: it may have committed; nor is a `write`, which is its own COMMIT.
 *
 * Every wait is bounded: connecting (and waiting for a free connection), each statement on the server,
 * each lock, a session idle inside a transaction, and each round trip on the client side (a server that
 * stops answering mid-query).
 */

import pg from 'pg';
import { isConnectionBroken, isConnectionLost, isContention, translate, unavailable } from './errors.js';

/** What a statement runs on: a client of the pool, inside or outside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>>;
}

export interface DatabaseOptions {
  /** postgres:// URL. It may hold a password: it is never put into a message. */
  url: string;
  /** The schema every table lives in; already checked to be a plain lowercase identifier. */
  schema: string;
  poolSize: number;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  timeouts: DatabaseTimeouts;
}

export interface DatabaseTimeouts {
  /** Opening a connection, or waiting for a free one. */
  connectMs: number;
  /** One statement on the server. */
  statementMs: number;
  /** Waiting for a row lock (another transaction's claim or write). */
  lockMs: number;
  /** A session left idle inside a transaction (a stalled process) is ended by the server. */
  idleInTransactionMs: number;
  /** One round trip on the client side; above statementMs, so the server's cancel normally comes first. */
  queryMs: number;
}

export const DEFAULT_TIMEOUTS: DatabaseTimeouts = Object.freeze({
  connectMs: 5_000,
  statementMs: 15_000,
  lockMs: 5_000,
  idleInTransactionMs: 30_000,
  queryMs: 20_000,
});

/** Contention retries are few: each deadlock already cost the server's deadlock_timeout. */
const CONTENTION_ATTEMPTS = 3;

export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Connection settings shared by the pool and the migrations' own connection. */
export function clientConfig(options: DatabaseOptions): pg.ClientConfig {
  const t = options.timeouts;
  return {
    connectionString: options.url,
    application_name: options.applicationName,
    // Unqualified table names resolve in the store's schema on every connection.
    options: `-c search_path=${quoteIdentifier(options.schema)}`,
    connectionTimeoutMillis: t.connectMs,
    statement_timeout: t.statementMs,
    lock_timeout: t.lockMs,
    idle_in_transaction_session_timeout: t.idleInTransactionMs,
    query_timeout: t.queryMs,
    // A peer that vanished without closing the socket is noticed.
    keepAlive: true,
  };
}

/**
 * A pg connection that breaks emits 'error', and an 'error' event nobody listens to ends the process.
 * The pool listens while a connection is idle (and re-emits on the pool) and stops listening the moment it
 * hands the connection out — a microtask before the borrower's `await` resumes and can listen itself. A
 * termination that arrives in the same socket read as the connection's readiness lands in that gap, so
 * every connection gets a listener of its own for its whole life. The borrower still learns of the break
 * from the failed statement or its own listener; the pool drops the connection when it is released broken.
 */
export function guardPool(pool: pg.Pool): pg.Pool {
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export class Database {
  readonly #pool: pg.Pool;
  readonly #poolSize: number;

  constructor(options: DatabaseOptions) {
    this.#poolSize = options.poolSize;
    this.#pool = guardPool(new pg.Pool({ ...clientConfig(options), max: options.poolSize, idleTimeoutMillis: 30_000 }));
  }

  /**
   * Statements outside a transaction, each its own snapshot and (for a write) its own commit. `fn` must
   * be safe to run twice — reads, or writes that change nothing the second time — since it runs again
   * on a fresh connection when the pooled one turns out dead, and a lost answer may hide a commit.
   */
  idempotent<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    return this.#run(fn, undefined, false);
  }

  /**
   * One statement that writes, outside a transaction: it is its own, one round trip instead of BEGIN and
   * COMMIT around it. Once sent it may have committed, so, like a COMMIT, it is not retried when the
   * connection is lost.
   */
  write<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    return this.#run(fn, undefined, true);
  }

  /** `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    return this.#run(fn, begin, false);
  }

  end(): Promise<void> {
    return this.#pool.end();
  }

  async #run<T>(fn: (db: Queryable) => Promise<T>, begin: string | undefined, commitsItself: boolean): Promise<T> {
    let contention = 0;
    // Each lost connection is dropped, so after poolSize of them the next one is new.
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.#pool.connect();
      } catch (error) {
        throw unavailable('cannot connect to the database', error);
      }
      // Between two statements nobody listens on the client; a connection error there must not go unhandled.
      let broken: unknown;
      const onError = (error: Error) => {
        broken ??= error;
      };
      client.on('error', onError);
      let committing = commitsItself;
      try {
        if (begin !== undefined) await client.query(begin);
        const result = await fn(client);
        if (begin !== undefined) {
          committing = true;
          await client.query('COMMIT');
        }
        return result;
      } catch (error) {
        if (isConnectionBroken(error)) broken ??= error;
        if (begin !== undefined && broken === undefined && !committing) {
          try {
            await client.query('ROLLBACK');
          } catch (rollbackError) {
            broken ??= rollbackError;
          }
        }
        if (isContention(error) && ++contention < CONTENTION_ATTEMPTS) continue;
        if (isConnectionLost(error) && !committing && attempt <= this.#poolSize) continue;
        throw translate(error);
      } finally {
        client.off('error', onError);
        client.release(broken === undefined ? undefined : broken instanceof Error ? broken : new Error('connection broken'));
      }
    }
  }
}
