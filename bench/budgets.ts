/**
 * `npm run bench:budgets`: what the per-app inbound limiter costs on the hot path — it runs on every
 * authenticated request. Two scenarios: under the limit (an app whose limit is never reached), in memory,
 * shared through PostgreSQL with a round trip per request (a lease of one token), and shared with a lease
 * of 10 tokens (what the default limit of 200/s leases: 50 ms of rate); and a flood over the default limit
 * (200/s, burst 400), where nearly every answer is a refusal. BENCH_CONCURRENCY callers take as fast as they
 * can for BENCH_SECONDS per variant, BENCH_ROUNDS times alternating (drift on a shared machine touches every
 * variant alike). Prints answers/s, the ratio to memory, the share granted, the mean and p99 wait per
 * answer, and this process's CPU per answer (the database's own CPU is not in it).
 *
 * Env: SCIM_BRIDGE_BENCH_DATABASE_URL (default: SCIM_BRIDGE_TEST_DATABASE_URL, then the local test
 * database), BENCH_SECONDS (3), BENCH_ROUNDS (2), BENCH_CONCURRENCY (10). Tables go to a schema of their
 * own, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createBudgets, type Budgets, type BudgetSettings } from '../src/budgets/index.js';
import { LEASE_SECONDS } from '../src/budgets/postgres/app-rate.js';
import { benchCli } from './cli.js';

const cli = benchCli('bench:budgets');
const { progress, intFromEnv } = cli;

const url = process.env.SCIM_BRIDGE_BENCH_DATABASE_URL || process.env.SCIM_BRIDGE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_${randomBytes(5).toString('hex')}`;
const settings = (rate: { requestsPerSecond: number; burst: number }): BudgetSettings => ({
  failedAuth: { maxFailures: 20, windowSeconds: 60, trackedAddresses: 1000 },
  appRateLimit: { ...rate, apps: {} },
});
const UNREACHED = { requestsPerSecond: 1_000_000, burst: 1_000_000 };
const DEFAULT_LIMIT = { requestsPerSecond: 200, burst: 400 };
const quiet = { warn: (obj: object, msg: string) => progress(`${msg} ${JSON.stringify(obj)}`), info: () => {} };

interface Variant {
  name: string;
  open(): Budgets;
}

interface Scenario {
  name: string;
  variants: Variant[];
}

const scenarios: Scenario[] = [
  {
    name: 'under the limit',
    variants: [
      { name: 'memory', open: () => createBudgets({ kind: 'memory' }, settings(UNREACHED), { log: quiet }) },
      { name: 'postgres, lease 1 (a round trip per request)', open: () => createBudgets({ kind: 'postgres', url, schema, leaseSeconds: 0 }, settings(UNREACHED), { log: quiet }) },
      {
        name: 'postgres, lease 10 (as for the default 200/s)',
        open: () => createBudgets({ kind: 'postgres', url, schema, leaseSeconds: 10 / UNREACHED.requestsPerSecond }, settings(UNREACHED), { log: quiet }),
      },
    ],
  },
  {
    name: 'a flood over the default limit (200/s, burst 400)',
    variants: [
      { name: 'memory', open: () => createBudgets({ kind: 'memory' }, settings(DEFAULT_LIMIT), { log: quiet }) },
      { name: `postgres, default lease (${LEASE_SECONDS * 1000} ms of rate)`, open: () => createBudgets({ kind: 'postgres', url, schema }, settings(DEFAULT_LIMIT), { log: quiet }) },
    ],
  },
];

interface Figures {
  takes: number;
  granted: number;
  seconds: number;
  waits: number[];
  cpuMs: number;
}

async function measure(app: string, budgets: Budgets, seconds: number, concurrency: number): Promise<Figures> {
  const waits: number[] = [];
  let granted = 0;
  const deadline = performance.now() + seconds * 1000;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const at = performance.now();
        if ((await budgets.inboundRate.take(app)) === 0) granted += 1;
        waits.push(performance.now() - at);
        // An answer from memory comes in a microtask: let timers and I/O run now and then, as a server would.
        if (waits.length % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { takes: waits.length, granted, seconds: (performance.now() - started) / 1000, waits, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const p = (sorted: Float64Array, q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

async function runScenario(scenario: Scenario, seconds: number, rounds: number, concurrency: number): Promise<string[]> {
  const totals: Figures[] = scenario.variants.map(() => ({ takes: 0, granted: 0, seconds: 0, waits: [], cpuMs: 0 }));
  for (let round = 1; round <= rounds; round += 1) {
    for (const [i, variant] of scenario.variants.entries()) {
      progress(`${scenario.name}, round ${round}/${rounds}: ${variant.name}`);
      const budgets = variant.open();
      await budgets.ready();
      // Each run has an app of its own: a full bucket; the warm-up opens connections and prepares statements.
      const app = `bench-${randomBytes(4).toString('hex')}`;
      await measure(`${app}-warm`, budgets, 0.2, concurrency);
      const figures = await measure(app, budgets, seconds, concurrency);
      await budgets.close();
      const total = totals[i]!;
      total.takes += figures.takes;
      total.granted += figures.granted;
      total.seconds += figures.seconds;
      total.cpuMs += figures.cpuMs;
      total.waits = total.waits.concat(figures.waits);
    }
  }
  const base = totals[0]!.takes / totals[0]!.seconds;
  return [
    `**${scenario.name}**`,
    '',
    '| variant | answers/s | ratio | granted | wait per answer mean / p99 ms | CPU per answer µs |',
    '|---|---|---|---|---|---|',
    ...totals.map((t, i) => {
      const sorted = Float64Array.from(t.waits).sort();
      const rate = t.takes / t.seconds;
      const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
      const cells = [
        scenario.variants[i]!.name,
        Math.round(rate).toLocaleString('en'),
        (rate / base).toFixed(3),
        `${((100 * t.granted) / Math.max(1, t.takes)).toFixed(1)} %`,
        `${mean.toFixed(3)} / ${p(sorted, 0.99).toFixed(3)}`,
        ((t.cpuMs * 1000) / t.takes).toFixed(1),
      ];
      return `| ${cells.join(' | ')} |`;
    }),
    '',
  ];
}

cli.run(async () => {
  const seconds = intFromEnv('BENCH_SECONDS', 3, 1, 600);
  const rounds = intFromEnv('BENCH_ROUNDS', 2, 1, 20);
  const concurrency = intFromEnv('BENCH_CONCURRENCY', 10, 1, 1000);
  const lines = [`inbound limiter, ${concurrency} concurrent callers, ${seconds} s × ${rounds} rounds per variant`, ''];
  try {
    for (const scenario of scenarios) lines.push(...(await runScenario(scenario, seconds, rounds, concurrency)));
  } finally {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
});
