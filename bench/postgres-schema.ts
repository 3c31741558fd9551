/**
 * A PostgreSQL schema that belongs to one bench run: analyzed once it is filled, and dropped on every way
 * out of the run (normal end, error, SIGINT, SIGTERM). The drop runs from the exit handler, which cannot
 * wait for a promise, so it runs this same file as a child with spawnSync: `node postgres-schema.js
 * <schema>`, the URL in BENCH_DROP_DATABASE_URL (an argument would show a password in `ps`).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runAtExit } from './children.js';

const SELF = fileURLToPath(import.meta.url);
const URL_VARIABLE = 'BENCH_DROP_DATABASE_URL';
/** What a bench may name its schema: the store's own rule (lowercase identifier), prefixed. */
const BENCH_SCHEMA = /^bench_[a-z0-9_]{1,56}$/;
const DROP_TIMEOUT_MS = 30_000;

/** Registers the drop of `schema` (which need not exist yet) for the bench's exit. */
export function dropSchemaAtExit(url: string, schema: string): void {
  if (!BENCH_SCHEMA.test(schema)) throw new TypeError(`bench: "${schema}" is not a bench schema name`);
  runAtExit(() => {
    const result = spawnSync(process.execPath, [SELF, schema], {
      env: { ...process.env, [URL_VARIABLE]: url },
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: DROP_TIMEOUT_MS,
    });
    if (result.status !== 0) {
      const why = result.error?.message ?? result.stderr.trim();
      process.stderr.write(`bench: could not drop schema "${schema}" (${why}); drop it with: DROP SCHEMA "${schema}" CASCADE\n`);
    }
  });
}

export interface ServerFacts {
  /** server_version, e.g. "15.20 (Debian 15.20-0+deb12u1)". */
  version: string;
  /** "on" or "off": whether the server keeps planner statistics up to date by itself. */
  autovacuum: string;
}

/**
 * ANALYZE every table of the schema, as autovacuum does after a bulk load on a default server. Without
 * statistics the planner cannot tell a unique index from one that only starts with (app, type), and a
 * lookup by userName or id may scan every user (this matters where autovacuum is off).
 */
export async function analyzeSchema(url: string, schema: string): Promise<ServerFacts> {
  return withClient(url, async (client) => {
    const tables = await client.query<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [schema]);
    for (const { name } of tables.rows) await client.query(`ANALYZE "${schema}"."${name.replaceAll('"', '""')}"`);
    const facts = await client.query<{ version: string; autovacuum: string }>(
      "SELECT current_setting('server_version') AS version, current_setting('autovacuum') AS autovacuum",
    );
    return facts.rows[0]!;
  });
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  // After the gateway was stopped or killed, a lock it held goes with its backend: a short wait is enough.
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, lock_timeout: 10_000, statement_timeout: 60_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const drop = (url: string, schema: string) => withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));

if (process.argv[1] === SELF) {
  const schema = process.argv[2] ?? '';
  const url = process.env[URL_VARIABLE] ?? '';
  if (!BENCH_SCHEMA.test(schema) || url === '') {
    process.stderr.write(`usage: ${URL_VARIABLE}=postgres://… node postgres-schema.js bench_<tag>\n`);
    process.exitCode = 2;
  } else {
    drop(url, schema).catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
  }
}
