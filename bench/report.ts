/**
 * What `npm run bench` prints: a table (default) or the same figures as JSON (`--json`). Nothing is
 * written to disk; a run's figures belong to the machine it ran on.
 */
import type { Measurement } from './load.js';

export interface ScenarioResult {
  name: string;
  target?: number;
  baseline?: Measurement;
  gateway?: Measurement;
  /** gateway req/s ÷ baseline req/s, when both ran. */
  ratio?: number;
  /** `--store postgres`: the gateway on PostgreSQL (`gateway` is the one on SQLite). */
  postgres?: PostgresResult;
}

export interface PostgresResult {
  measurement: Measurement;
  /** PostgreSQL req/s ÷ baseline req/s. */
  ratio?: number;
  /** PostgreSQL req/s ÷ SQLite req/s. */
  vsSqlite?: number;
  /** The lowest acceptable vsSqlite, when the project sets one. */
  target?: number;
}

export interface MemoryFigures {
  afterPreloadRssBytes?: number;
  peakRssBytes: number;
}

export interface BenchReport {
  node: string;
  cpus: number;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  users: number;
  logging: string;
  preloadSeconds?: number;
  scenarios: ScenarioResult[];
  baselineMemory?: MemoryFigures;
  gatewayMemory?: MemoryFigures;
  /** `--store postgres`: the gateway on PostgreSQL (the top-level gateway figures are SQLite's). */
  postgres?: PostgresRun;
}

export interface PostgresRun {
  /** server_version */
  server: string;
  /** The server's autovacuum setting; the bench analyzes its schema after the preload either way. */
  autovacuum: string;
  schema: string;
  preloadSeconds: number;
  memory: MemoryFigures;
}

/** Every way a run can be wrong rather than slow: answers that were not 2xx, or no answer at all. */
export function failures(report: BenchReport): string[] {
  const found: string[] = [];
  for (const row of report.scenarios) {
    const servers = [['baseline', row.baseline], ['gateway', row.gateway], ['gateway (postgres)', row.postgres?.measurement]] as const;
    for (const [server, m] of servers) {
      if (!m) continue;
      if (m.non2xx > 0 || m.errors > 0) {
        found.push(`${row.name} on ${server}: ${m.non2xx} non-2xx ${JSON.stringify(m.failedStatuses)}, ${m.errors} errors`);
      }
      if (m.warmupFailures > 0) found.push(`${row.name} on ${server}: ${m.warmupFailures} failures in the warm-up`);
    }
  }
  return found;
}

/** Scenarios whose ratio (or PostgreSQL ÷ SQLite ratio) is below the project's target. */
export function missedTargets(report: BenchReport): string[] {
  const missed: string[] = [];
  for (const row of report.scenarios) {
    if (below(row.ratio, row.target)) missed.push(`${row.name}: ratio ${row.ratio!.toFixed(2)} < target ${row.target!.toFixed(2)}`);
    const pg = row.postgres;
    if (pg && below(pg.vsSqlite, pg.target)) missed.push(`${row.name}: PostgreSQL ÷ SQLite ${pg.vsSqlite!.toFixed(2)} < target ${pg.target!.toFixed(2)}`);
  }
  return missed;
}

const below = (ratio: number | undefined, target: number | undefined) => ratio !== undefined && target !== undefined && ratio < target;

const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);
const rate = (m: Measurement | undefined) => (m ? Math.round(m.requestsPerSecond).toString() : '-');
const latency = (m: Measurement | undefined) => (m ? `${m.latencyP50Ms} / ${m.latencyP99Ms}` : '-');
const bad = (m: Measurement | undefined) => (m ? String(m.non2xx + m.errors) : '-');

const ratioCell = (ratio: number | undefined) => (ratio === undefined ? '-' : ratio.toFixed(2));

function targetCell(ratio: number | undefined, target: number | undefined): string {
  if (target === undefined) return '';
  const mark = ratio === undefined ? '' : ratio >= target ? ' ok' : ' MISSED';
  return `>= ${target.toFixed(2)}${mark}`;
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatTable(report: BenchReport): string {
  const out: string[] = [];
  out.push(
    `scim-bridge core bench: node ${report.node}, ${report.cpus} cpus, ${report.connections} connections, ` +
      `${report.warmupSeconds} s warm-up (discarded) + ${report.seconds} s per scenario, ${report.users} preloaded users`,
  );
  out.push(`gateway logging: ${report.logging}`);
  const pg = report.postgres;
  if (pg) {
    out.push(
      `PostgreSQL ${pg.server} on the same cores, autovacuum ${pg.autovacuum}; schema ${pg.schema}, analyzed after the preload ` +
        '(as autovacuum would), dropped at exit',
    );
  }
  out.push('');
  out.push(report.postgres ? bothStoresTable(report) : sqliteTable(report));
  out.push('');
  const preload = (seconds: number) => `${report.users} users in ${seconds.toFixed(1)} s (${Math.round(report.users / seconds)} users/s)`;
  const memory = (m: MemoryFigures) => `RSS after preload: ${mib(m.afterPreloadRssBytes)}, peak RSS (VmHWM): ${mib(m.peakRssBytes)}`;
  if (report.preloadSeconds !== undefined) out.push(`preload${pg ? ' (SQLite)' : ''}: ${preload(report.preloadSeconds)}`);
  if (pg) out.push(`preload (PostgreSQL): ${preload(pg.preloadSeconds)}`);
  if (report.gatewayMemory) out.push(`gateway${pg ? ' on SQLite' : ''} ${memory(report.gatewayMemory)}`);
  if (pg) out.push(`gateway on PostgreSQL ${memory(pg.memory)} (the database server's own memory not included)`);
  if (report.baselineMemory) out.push(`baseline peak RSS (VmHWM): ${mib(report.baselineMemory.peakRssBytes)}`);
  const missed = missedTargets(report);
  if (missed.length > 0) out.push(`targets missed: ${missed.join('; ')}`);
  return out.join('\n');
}

/** The table of a run on SQLite alone (the default). */
function sqliteTable(report: BenchReport): string {
  return table(
    ['scenario', 'base req/s', 'gw req/s', 'gw/base', 'target', 'base p50/p99 ms', 'gw p50/p99 ms', 'non-2xx base', 'non-2xx gw'],
    report.scenarios.map((row) => [
      row.name,
      rate(row.baseline),
      rate(row.gateway),
      ratioCell(row.ratio),
      targetCell(row.ratio, row.target),
      latency(row.baseline),
      latency(row.gateway),
      bad(row.baseline),
      bad(row.gateway),
    ]),
  );
}

/** `--store postgres`: the same columns for both gateways, and PostgreSQL ÷ SQLite against its target. */
function bothStoresTable(report: BenchReport): string {
  return table(
    [
      'scenario',
      'base req/s',
      'sqlite req/s',
      'pg req/s',
      'sqlite/base',
      'target',
      'pg/base',
      'pg/sqlite',
      'pg target',
      'base p50/p99 ms',
      'sqlite p50/p99 ms',
      'pg p50/p99 ms',
      'non-2xx base/sqlite/pg',
    ],
    report.scenarios.map((row) => {
      const pg = row.postgres;
      return [
        row.name,
        rate(row.baseline),
        rate(row.gateway),
        rate(pg?.measurement),
        ratioCell(row.ratio),
        targetCell(row.ratio, row.target),
        ratioCell(pg?.ratio),
        ratioCell(pg?.vsSqlite),
        targetCell(pg?.vsSqlite, pg?.target),
        latency(row.baseline),
        latency(row.gateway),
        latency(pg?.measurement),
        [row.baseline, row.gateway, pg?.measurement].map(bad).join('/'),
      ];
    }),
  );
}

/** A warning nobody can scroll past: a non-2xx answer means the figures measured errors, not work. */
export function formatFailures(found: string[]): string {
  const bar = '!'.repeat(78);
  return [bar, '!!! WARNING: requests failed; these figures are NOT valid', ...found.map((f) => `!!!   ${f}`), bar].join('\n');
}
