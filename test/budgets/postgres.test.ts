/**
 * The shared budgets on a real PostgreSQL: the contract, then three replicas' budgets (three pools on one
 * schema) hammered at once, then the database going away.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/connectors/http/clock.js';
import { createBudgets, type Budgets } from '../../src/budgets/index.js';
import { createNativeClient } from '../../src/connectors/http/client.js';
import { runBudgetContract } from './contract.js';
import { closedPort, DATABASE_URL, databaseNow, dropSchema, logNativeStarts, nativeStarts, randomSchema, SETTINGS, sharedBudgets, silentServer, sql, terminateBudgetConnections } from './postgres-support.js';
import { captureLog, json, settingsFor, startServer } from '../connectors/http/support.js';
import { busiestWindow } from './support.js';

const contractSchema = randomSchema();
runBudgetContract('postgres', (settings) => sharedBudgets(contractSchema, settings), () => dropSchema(contractSchema));

describe('three replicas on one schema', () => {
  const schema = randomSchema();
  let replicas: Budgets[];
  beforeAll(async () => {
    replicas = [0, 1, 2].map(() =>
      sharedBudgets(schema, {
        failedAuth: { maxFailures: 6, windowSeconds: 3600, trackedAddresses: 1000 },
        appRateLimit: { requestsPerSecond: 1000, burst: 1000, apps: { crowd: { requestsPerSecond: 50, burst: 20 } } },
      }),
    );
    // Started together, as replicas are: the tables are made once, under the advisory lock.
    await Promise.all(replicas.map((r) => r.ready()));
    await logNativeStarts(schema);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await dropSchema(schema);
  });

  it('three native clients never let more than burst starts into any window, counted at the database', async () => {
    const server = await startServer((_req, res) => json(res, 200, {}));
    const rateLimit = { requestsPerSecond: 20, burst: 5, concurrency: 10 }; // windows of 250 ms
    const clients = replicas.map((r) =>
      createNativeClient(settingsFor(server.url, { rateLimit }), { nativeRate: (limit, waiting) => r.nativeRate('native-app', limit, waiting) }),
    );
    try {
      const calls = clients.flatMap((client) => Array.from({ length: 15 }, (_, i) => client.request({ method: 'GET', path: `/items/${i}`, idempotent: true, operation: 'items.get' })));
      const answers = await Promise.all(calls);
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(server.seen).toHaveLength(45);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await server.close();
    }
    const starts = await nativeStarts(schema, 'native-app');
    expect(starts).toHaveLength(45);
    expect(busiestWindow(starts, 250)).toBe(rateLimit.burst);
    // The three together average the configured rate, not three times it.
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(((45 - rateLimit.burst) / rateLimit.requestsPerSecond) * 1000);
  });

  it('the inbound rate grants at most burst + rate × elapsed across the three', async () => {
    const before = await databaseNow();
    const deadline = performance.now() + 1000;
    const granted = await Promise.all(
      replicas.map(async (r) => {
        let count = 0;
        while (performance.now() < deadline) {
          const answers = await Promise.all(Array.from({ length: 10 }, () => r.inboundRate.take('crowd')));
          count += answers.filter((a) => a === 0).length;
        }
        return count;
      }),
    );
    const elapsedS = ((await databaseNow()) - before) / 1000;
    const total = granted.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(20 + 50 * elapsedS);
    // And the budget is handed out, not hoarded: at least the burst went to requests.
    expect(total).toBeGreaterThanOrEqual(20);
    // Every replica got a share (no replica's lease starves the others for a whole second).
    expect(granted.every((g) => g > 0)).toBe(true);
  });

  it('the failed-login throttle counts failures from all three', async () => {
    const address = '192.0.2.7';
    for (const replica of replicas) {
      expect(await replica.authFailures.failed(address)).toBe(0);
      expect(await replica.authFailures.failed(address)).toBe(0);
    }
    for (const replica of replicas) expect(await replica.authFailures.blockedFor(address)).toBeGreaterThan(3590);
    const concurrent = '192.0.2.8';
    const answers = await Promise.all(replicas.flatMap((r) => Array.from({ length: 10 }, () => r.authFailures.failed(concurrent))));
    expect(answers.filter((a) => a > 0)).toHaveLength(30 - 6);
  });
});

describe('tables', () => {
  it('are created once in the configured schema, however often ready() runs', async () => {
    const schema = randomSchema();
    const budgets = sharedBudgets(schema, SETTINGS);
    try {
      await budgets.ready();
      await budgets.ready();
      const tables = await sql<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema]);
      expect(tables.map((t) => t.table_name)).toEqual(['budget_auth_failures', 'budget_inbound_buckets', 'budget_native_starts']);
    } finally {
      await budgets.close();
      await dropSchema(schema);
    }
  });
});

describe('when the database does not answer', () => {
  const limit = { requestsPerSecond: 0.01, burst: 2 }; // two starts per 200 s

  it('a closed port: ready() does not throw; inbound and throttle fail open, the native rate keeps a local budget; one warning each', async () => {
    const { lines, log } = captureLog();
    const port = await closedPort();
    const url = `postgres://budget_user:hunter2-secret@127.0.0.1:${port}/test`;
    // retryMs 0: every call tries the database again, and still the episode is one warning per budget.
    const budgets = createBudgets({ kind: 'postgres', url, schema: 'scim_bridge', retryMs: 0 }, SETTINGS, { log });
    const lifecycle = new AbortController();
    try {
      await budgets.ready();
      for (let i = 0; i < 10; i += 1) {
        expect(await budgets.inboundRate.take('app')).toBe(0);
        expect(await budgets.authFailures.failed('192.0.2.1')).toBe(0);
        expect(await budgets.authFailures.blockedFor('192.0.2.1')).toBe(0);
      }
      const rate = budgets.nativeRate('app', limit, { clock: systemClock, signal: lifecycle.signal });
      await rate.take();
      await rate.take();
      // The local budget still holds: a third start in the same window waits (here: for 200 s).
      const third = await Promise.race([rate.take().then(() => 'started'), sleep(300).then(() => 'waiting')]);
      expect(third).toBe('waiting');
      const warnings = lines.filter((l) => l.level === 'warn');
      expect(warnings.map((w) => (w.obj as { budget: string }).budget).sort()).toEqual(['budget tables', 'failed-login throttle', 'inbound rate', 'native rate']);
      expect(warnings.every((w) => (w.obj as { code?: string }).code === 'ECONNREFUSED')).toBe(true);
      expect(JSON.stringify(lines)).not.toMatch(/hunter2|budget_user|postgres:/);
    } finally {
      lifecycle.abort();
      await budgets.close();
    }
  });

  it('a server that accepts and never answers: every call returns within the time limit, failing open', async () => {
    const server = await silentServer();
    const { lines, log } = captureLog();
    const url = `postgres://postgres@127.0.0.1:${server.port}/test`;
    const budgets = createBudgets({ kind: 'postgres', url, schema: 'scim_bridge', timeoutMs: 200, retryMs: 60_000 }, SETTINGS, { log });
    try {
      await budgets.ready();
      const answers = await Promise.all(Array.from({ length: 20 }, () => budgets.inboundRate.take('app')));
      expect(answers.every((a) => a === 0)).toBe(true);
      expect(await budgets.authFailures.failed('192.0.2.2')).toBe(0);
      expect(lines.filter((l) => l.level === 'warn').length).toBeLessThanOrEqual(4);
    } finally {
      await budgets.close();
      await server.close();
    }
  });

  it('a row locked by someone else: the decision gives up after the time limit and fails open', async () => {
    const schema = randomSchema();
    const { lines, log } = captureLog();
    // 10/s: a lease of one token, so every take is a statement.
    const settings = { ...SETTINGS, appRateLimit: { ...SETTINGS.appRateLimit, apps: { locked: { requestsPerSecond: 10, burst: 10 } } } };
    const budgets = sharedBudgets(schema, settings, { timeoutMs: 200, retryMs: 60_000 }, log);
    const locker = new pg.Client({ connectionString: DATABASE_URL });
    try {
      await budgets.ready();
      expect(await budgets.inboundRate.take('locked')).toBe(0);
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query(`SELECT * FROM "${schema}".budget_inbound_buckets WHERE app = 'locked' FOR UPDATE`);
      const answers = await Promise.all(Array.from({ length: 5 }, () => budgets.inboundRate.take('locked')));
      expect(answers.every((a) => a === 0)).toBe(true);
      expect(lines.filter((l) => l.level === 'warn').map((l) => (l.obj as { budget: string }).budget)).toEqual(['inbound rate']);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await locker.end();
      await budgets.close();
      await dropSchema(schema);
    }
  });

  it('connections terminated by the server: no call hangs, and the shared budget comes back by itself', async () => {
    const schema = randomSchema();
    const { lines, log } = captureLog();
    const settings = { ...SETTINGS, failedAuth: { maxFailures: 2, windowSeconds: 3600, trackedAddresses: 100 } };
    const budgets = sharedBudgets(schema, settings, { retryMs: 200 }, log);
    try {
      await budgets.ready();
      expect(await budgets.authFailures.failed('192.0.2.3')).toBe(0);
      await terminateBudgetConnections(schema);
      // Whatever the pool finds (a dead connection, a fresh one), each call answers.
      for (let i = 0; i < 5; i += 1) await budgets.authFailures.failed('192.0.2.3');
      await sleep(250);
      // Back on the database: the count from before the outage is still there.
      let blocked = 0;
      for (let i = 0; i < 20 && blocked === 0; i += 1) {
        blocked = await budgets.authFailures.blockedFor('192.0.2.3');
        if (blocked === 0) await sleep(100);
      }
      expect(blocked).toBeGreaterThan(3590);
      const warned = lines.filter((l) => l.level === 'warn').length;
      const recovered = lines.filter((l) => l.level === 'info').length;
      expect(warned).toBeLessThanOrEqual(1);
      expect(recovered).toBe(warned);
    } finally {
      await budgets.close();
      await dropSchema(schema);
    }
  });
});
