/**
 * `npm run bench:store-reads`: what a user's `groups` cost a read, in the store alone (no HTTP): a lookup by
 * userName as Entra makes it, (a) the user only — the baseline, (b) the user and then its groups in a
 * second statement (`groupsOf`, how the service read them before issue 13), (c) both in one statement
 * (`withGroups`). Rounds alternate the three; printed are the medians in µs per lookup and each as a ratio
 * to the baseline.
 *
 * Flags: `--store sqlite|postgres` (database: BENCH_DATABASE_URL, a schema of its own dropped at exit).
 * Env: BENCH_USERS (default 10000), BENCH_LOOKUPS (per variant and round, default 20000 on SQLite, 3000 on
 * PostgreSQL), BENCH_ROUNDS (default 3).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStore } from '../src/store/postgres/index.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import type { Store, StoreCondition } from '../src/store/types.js';
import { installCleanup, removeAtExit } from './children.js';
import { benchCli, median } from './cli.js';
import { dropSchemaAtExit } from './postgres-schema.js';

const cli = benchCli('bench:store-reads');
const { progress, intFromEnv } = cli;
const APP = 'directory';
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

type Variant = { name: string; read: (store: Store, condition: StoreCondition) => Promise<unknown> };

const VARIANTS: readonly Variant[] = [
  { name: 'the user only (baseline)', read: (store, condition) => store.query(APP, 'User', { condition, limit: 100 }) },
  {
    name: 'the user, then its groups (two statements)',
    read: async (store, condition) => {
      const found = await store.query(APP, 'User', { condition, limit: 100 });
      return store.groupsOf(APP, found.records.map((r) => r.id));
    },
  },
  { name: 'the user with its groups (withGroups, one statement)', read: (store, condition) => store.query(APP, 'User', { condition, limit: 100, withGroups: true }) },
];

async function fill(store: Store, users: number): Promise<void> {
  const batch = 500;
  for (let from = 0; from < users; from += batch) {
    const writes: Promise<unknown>[] = [];
    for (let i = from; i < Math.min(users, from + batch); i += 1) {
      writes.push(store.create(APP, 'User', { data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `user${i}@example.com` } }));
    }
    await Promise.all(writes);
  }
  // Every tenth user in a group, as in a directory where some users are grouped.
  const members = Array.from({ length: Math.floor(users / 10) }, (_, i) => i * 10);
  const ids = (await store.query(APP, 'User', {})).records;
  await store.create(APP, 'Group', {
    data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Every tenth' },
    members: members.map((i) => ({ value: ids[i]!.id, raw: { value: ids[i]!.id } })),
  });
}


async function main(): Promise<void> {
  const args = cli.args(process.argv.slice(2), [], { store: ['sqlite', 'postgres'] });
  const postgres = args.options.store === 'postgres';
  const users = intFromEnv('BENCH_USERS', 10_000, 10, 1_000_000);
  const lookups = intFromEnv('BENCH_LOOKUPS', postgres ? 3_000 : 20_000, 1, 10_000_000);
  const rounds = intFromEnv('BENCH_ROUNDS', 3, 1, 100);
  installCleanup();
  let store: Store;
  if (postgres) {
    const url = process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL;
    const schema = `bench_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    dropSchemaAtExit(url, schema);
    store = new PostgresStore({ url, schema, poolSize: 1 });
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-bench-store-reads-'));
    removeAtExit(dir);
    store = new SqliteStore({ path: join(dir, 'reads.db') });
  }
  try {
    await store.migrate();
    progress(`writing ${users} users (every tenth in a group)`);
    await fill(store, users);
    const times = VARIANTS.map(() => [] as number[]);
    for (let round = 0; round < rounds; round += 1) {
      for (const [v, variant] of VARIANTS.entries()) {
        const started = performance.now();
        for (let i = 0; i < lookups; i += 1) {
          await variant.read(store, { op: 'eq', field: 'userName', value: `user${(i * 7919) % users}@example.com` });
        }
        times[v]!.push(((performance.now() - started) * 1000) / lookups);
      }
    }
    const base = median(times[0]!);
    process.stdout.write(`scim-bridge store reads: ${postgres ? 'PostgreSQL (one connection)' : 'SQLite'}, ${users} users, ${lookups} lookups by userName per variant and round, ${rounds} rounds\n`);
    for (const [v, variant] of VARIANTS.entries()) {
      const m = median(times[v]!);
      process.stdout.write(`${variant.name.padEnd(56)} ${m.toFixed(1).padStart(8)} µs  ${(m / base).toFixed(2)} × baseline  (rounds: ${times[v]!.map((t) => t.toFixed(1)).join(', ')})\n`);
    }
  } finally {
    await store.close();
  }
}

cli.run(main);
