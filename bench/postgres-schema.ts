/**
 * A PostgreSQL schema that belongs to one bench run and is dropped on every way out of it (normal end,
 * error, SIGINT, SIGTERM). The drop runs from the exit handler, which cannot wait for a promise, so it
 * runs this same file as a child with spawnSync: `node postgres-schema.js <schema>`, the URL in
 * BENCH_DROP_DATABASE_URL (an argument would show a password in `ps`).
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

async function drop(url: string, schema: string): Promise<void> {
  // The gateway was just stopped or killed: a lock it held goes with its backend, so a short wait is enough.
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, lock_timeout: 10_000, statement_timeout: 20_000 });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

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
