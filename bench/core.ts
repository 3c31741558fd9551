/**
 * `npm run bench`: the core SCIM calls against a bare express baseline and against the gateway, in one
 * run on one machine, printed as ratios. Each server runs in its own child process and only one is under
 * load at any moment; autocannon runs here, so on two cores the server and the load each get one.
 *
 * Flags: `--json` prints the figures as JSON instead of a table, `--baseline-only` skips the gateway,
 * `--store sqlite|postgres` (default sqlite) says which gateways run beside the baseline:
 * - `sqlite`: the gateway on a fresh SQLite file;
 * - `postgres`: that one and also the same gateway on PostgreSQL, each scenario on the baseline, then on
 *   SQLite, then on PostgreSQL; the table adds PostgreSQL's columns and PostgreSQL ÷ SQLite with its
 *   target (SQLite always runs: that target is a ratio to it). The PostgreSQL gateway keeps its tables in
 *   a schema of its own, `bench_<run tag>`, created by its migrations, analyzed after the preload (as
 *   autovacuum would; on a server with autovacuum off, lookups would otherwise scan every user), and
 *   dropped when the bench exits, however it exits. The database is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
 *   given to the gateway as SCIM_BRIDGE_DATABASE_URL. It shares the machine's cores with the gateway and
 *   the load.
 *
 * Env: BENCH_SECONDS (default 10), BENCH_USERS (default 10000, preloaded into each gateway),
 * BENCH_LOG_LEVEL (the gateways', default info), BENCH_DATABASE_URL, BENCH_ONLY (the scenarios whose name
 * contains it), BENCH_CPU_PROF_DIR (each gateway writes its CPU profile there when it stops).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { installCleanup, readMemory, stopServer, type ServerChild } from './children.js';
import { benchCli, UsageError } from './cli.js';
import { measure, type LoadSettings, type Measurement } from './load.js';
import { failures, formatFailures, formatTable, type BenchReport, type MemoryFigures, type ScenarioResult } from './report.js';
import { SCENARIOS, type Scenario } from './scenarios.js';
import { childEnv, startBaseline, startGateway, type GatewaySession, type Session } from './servers.js';
import { verifyShapes } from './verify.js';

// 'info' is what users run (one line per request); BENCH_LOG_LEVEL=warn shows what that line costs.
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

const cli = benchCli('bench');
const { progress, intFromEnv } = cli;

async function measureOn(session: Session, scenario: Scenario, settings: LoadSettings): Promise<Measurement> {
  progress(`${session.server.name}: ${scenario.name} (${settings.warmupSeconds} s warm-up + ${settings.seconds} s)`);
  return measure(session.origin, scenario, session.target, settings);
}

const ratioOf = (m: Measurement | undefined, to: Measurement) => (m && to.requestsPerSecond > 0 ? m.requestsPerSecond / to.requestsPerSecond : undefined);

/**
 * Every server live, but only one under load at any moment: each scenario runs on the baseline and then
 * at once on the gateway (on SQLite, then on PostgreSQL), so a ratio compares runs seconds apart and
 * drift in the machine's load (a shared 2-core box) touches every side alike.
 */
async function runScenarios(
  baseline: Session,
  gateway: Session | undefined,
  postgres: Session | undefined,
  settings: LoadSettings,
): Promise<ScenarioResult[]> {
  await verifyShapes(baseline.origin, baseline.target, false);
  if (gateway) await verifyShapes(gateway.origin, gateway.target, true);
  if (postgres) await verifyShapes(postgres.origin, postgres.target, true);
  const rows: ScenarioResult[] = [];
  // BENCH_ONLY: the scenarios whose name contains it (a profile of one scenario, BENCH_CPU_PROF_DIR).
  const only = process.env.BENCH_ONLY;
  for (const scenario of SCENARIOS.filter((s) => only === undefined || s.name.includes(only))) {
    const b = await measureOn(baseline, scenario, settings);
    const g = gateway ? await measureOn(gateway, scenario, settings) : undefined;
    const p = postgres ? await measureOn(postgres, scenario, settings) : undefined;
    const row: ScenarioResult = { name: scenario.name, target: scenario.target, baseline: b, gateway: g, ratio: ratioOf(g, b) };
    if (p) row.postgres = { measurement: p, ratio: ratioOf(p, b), vsSqlite: g ? ratioOf(p, g) : undefined, target: scenario.postgresTarget };
    rows.push(row);
  }
  return rows;
}

async function main(): Promise<void> {
  const args = cli.args(process.argv.slice(2), ['json', 'baseline-only'], { store: ['sqlite', 'postgres'] });
  const flags = { json: args.flags.json, baselineOnly: args.flags['baseline-only'], postgres: args.options.store === 'postgres' };
  if (flags.baselineOnly && flags.postgres) throw new UsageError('bench: --baseline-only runs no gateway; drop --store postgres');
  const settings: LoadSettings = { connections: 10, warmupSeconds: 2, seconds: intFromEnv('BENCH_SECONDS', 10, 1, 600) };
  const users = intFromEnv('BENCH_USERS', 10_000, 1, 1_000_000);
  const logLevel = process.env.BENCH_LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`bench: BENCH_LOG_LEVEL="${logLevel}" must be one of ${LOG_LEVELS.join(', ')}`);
  const runTag = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const databaseUrl = process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL;
  const schema = `bench_${runTag}`;
  installCleanup();

  const started: ServerChild[] = [];
  let report: BenchReport;
  try {
    const baseline = await startBaseline(users, runTag, progress);
    started.push(baseline.server);
    const gateway = flags.baselineOnly ? undefined : await startGateway({ kind: 'sqlite' }, users, runTag, logLevel, started, progress);
    const postgres = flags.postgres ? await startGateway({ kind: 'postgres', url: databaseUrl, schema }, users, runTag, logLevel, started, progress) : undefined;
    const scenarios = await runScenarios(baseline, gateway, postgres, settings);
    const peak = (s: Session): MemoryFigures => ({ peakRssBytes: readMemory(s.server.process.pid!).peakRssBytes });
    const afterPreload = (s: GatewaySession): MemoryFigures => ({ ...peak(s), afterPreloadRssBytes: s.afterPreloadRssBytes });
    report = {
      node: process.version,
      cpus: availableParallelism(),
      connections: settings.connections,
      warmupSeconds: settings.warmupSeconds,
      seconds: settings.seconds,
      users,
      logging: `pino level "${logLevel}"${logLevel === 'info' ? ' (one line per request)' : ''}, child stdout to /dev/null; NODE_ENV=${childEnv({}).NODE_ENV}; config/gateway.yaml with the per-app inbound rate limit lifted`,
      preloadSeconds: gateway?.preloadSeconds,
      scenarios,
      baselineMemory: peak(baseline),
      gatewayMemory: gateway ? afterPreload(gateway) : undefined,
    };
    if (postgres?.database) {
      const { version, autovacuum } = postgres.database;
      report.postgres = { server: version, autovacuum, schema, preloadSeconds: postgres.preloadSeconds, memory: afterPreload(postgres) };
    }
  } finally {
    for (const server of started) await stopServer(server);
  }

  process.stdout.write(`${flags.json ? JSON.stringify(report, null, 2) : formatTable(report)}\n`);
  const found = failures(report);
  if (found.length > 0) {
    process.stderr.write(`${formatFailures(found)}\n`);
    process.exitCode = 1;
  }
}

cli.run(main);
