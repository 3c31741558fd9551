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
}

/** Every way a run can be wrong rather than slow: answers that were not 2xx, or no answer at all. */
export function failures(report: BenchReport): string[] {
  const found: string[] = [];
  for (const row of report.scenarios) {
    for (const [server, m] of [['baseline', row.baseline], ['gateway', row.gateway]] as const) {
      if (!m) continue;
      if (m.non2xx > 0 || m.errors > 0) {
        found.push(`${row.name} on ${server}: ${m.non2xx} non-2xx ${JSON.stringify(m.failedStatuses)}, ${m.errors} errors`);
      }
      if (m.warmupFailures > 0) found.push(`${row.name} on ${server}: ${m.warmupFailures} failures in the warm-up`);
    }
  }
  return found;
}

/** Scenarios whose ratio is below the project's target. */
export function missedTargets(report: BenchReport): string[] {
  return report.scenarios
    .filter((row) => row.target !== undefined && row.ratio !== undefined && row.ratio < row.target)
    .map((row) => `${row.name}: ratio ${row.ratio!.toFixed(2)} < target ${row.target!.toFixed(2)}`);
}

const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);
const rate = (m: Measurement | undefined) => (m ? Math.round(m.requestsPerSecond).toString() : '-');
const latency = (m: Measurement | undefined) => (m ? `${m.latencyP50Ms} / ${m.latencyP99Ms}` : '-');
const bad = (m: Measurement | undefined) => (m ? String(m.non2xx + m.errors) : '-');

function ratioCell(row: ScenarioResult): string {
  if (row.ratio === undefined) return '-';
  return row.ratio.toFixed(2);
}

function targetCell(row: ScenarioResult): string {
  if (row.target === undefined) return '';
  const mark = row.ratio === undefined ? '' : row.ratio >= row.target ? ' ok' : ' MISSED';
  return `>= ${row.target.toFixed(2)}${mark}`;
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
  out.push('');
  out.push(
    table(
      ['scenario', 'base req/s', 'gw req/s', 'gw/base', 'target', 'base p50/p99 ms', 'gw p50/p99 ms', 'non-2xx base', 'non-2xx gw'],
      report.scenarios.map((row) => [
        row.name,
        rate(row.baseline),
        rate(row.gateway),
        ratioCell(row),
        targetCell(row),
        latency(row.baseline),
        latency(row.gateway),
        bad(row.baseline),
        bad(row.gateway),
      ]),
    ),
  );
  out.push('');
  if (report.preloadSeconds !== undefined) {
    out.push(`preload: ${report.users} users in ${report.preloadSeconds.toFixed(1)} s (${Math.round(report.users / report.preloadSeconds)} users/s)`);
  }
  if (report.gatewayMemory) {
    out.push(`gateway RSS after preload: ${mib(report.gatewayMemory.afterPreloadRssBytes)}, peak RSS (VmHWM): ${mib(report.gatewayMemory.peakRssBytes)}`);
  }
  if (report.baselineMemory) out.push(`baseline peak RSS (VmHWM): ${mib(report.baselineMemory.peakRssBytes)}`);
  const missed = missedTargets(report);
  if (missed.length > 0) out.push(`targets missed: ${missed.join('; ')}`);
  return out.join('\n');
}

/** A warning nobody can scroll past: a non-2xx answer means the figures measured errors, not work. */
export function formatFailures(found: string[]): string {
  const bar = '!'.repeat(78);
  return [bar, '!!! WARNING: requests failed; these figures are NOT valid', ...found.map((f) => `!!!   ${f}`), bar].join('\n');
}
