/**
 * What `npm run bench:connector` prints: per scenario the native call made directly and the SCIM call
 * through the gateway, req/s and their ratio, p50/p99 both ways, and the gateway's added p50 against the
 * 1 ms target. A table by default, the same figures as JSON with `--json`.
 */
import type { Measurement } from './load.js';
import { table } from './report.js';

export const TARGET_ADDED_P50_MS = 1;

/** CPU milliseconds per operation of each process during a side's measured runs (from 10 ms ticks). */
export interface CpuPerOperation {
  emulator: number;
  gateway: number;
  /** This process: autocannon and the bench. */
  autocannon: number;
}

export interface SideResult {
  label: string;
  /** Requests that make one operation (create's search + POST: 2). */
  callsPerOperation: number;
  /** Operations per second: autocannon's req/s ÷ callsPerOperation. */
  opsPerSecond: number;
  measurement: Measurement;
  cpuMsPerOperation: CpuPerOperation;
  /** Emulator users when the measured run started and ended (native list and create scan them all). */
  emulatorUsers: { before: number; after: number };
  /** 1-minute load average of the machine when the side started. */
  loadAverage1m: number;
}

export interface Comparison {
  direct: SideResult;
  /** gateway ops/s ÷ direct ops/s. */
  ratio: number;
  /** gateway p50 − direct p50 from every response's own time, fractional ms. */
  addedP50Ms: number;
  /** The same from autocannon's whole-millisecond percentiles (undefined for multi-call operations). */
  addedP50MsWholeMs?: number;
  withinTarget: boolean;
}

export interface ConnectorRow {
  name: string;
  note?: string;
  gateway: SideResult;
  /** The first is the native call the brief names; create adds the search + POST pair the plugin makes. */
  comparisons: Comparison[];
}

export interface ConnectorReport {
  node: string;
  cpus: number;
  /** os.loadavg() (1, 5, 15 min) before anything started and after the last run. */
  loadAverage: { start: number[]; end: number[] };
  connections: number;
  warmupSeconds: number;
  seconds: number;
  users: number;
  preloadSeconds: number;
  logging: string;
  rateLimit: { shipped: string; raised: string };
  latencySource: string;
  targetAddedP50Ms: number;
  rows: ConnectorRow[];
}

export function compare(direct: SideResult, gateway: SideResult): Comparison {
  const addedP50Ms = gateway.measurement.exact!.p50Ms - direct.measurement.exact!.p50Ms;
  const wholeMs = direct.callsPerOperation === 1 && gateway.callsPerOperation === 1;
  return {
    direct,
    ratio: direct.opsPerSecond > 0 ? gateway.opsPerSecond / direct.opsPerSecond : Number.NaN,
    addedP50Ms,
    addedP50MsWholeMs: wholeMs ? gateway.measurement.latencyP50Ms - direct.measurement.latencyP50Ms : undefined,
    withinTarget: addedP50Ms <= TARGET_ADDED_P50_MS,
  };
}

/** Every way a run can be wrong rather than slow: non-2xx answers, no answer at all, failures in the warm-up. */
export function connectorFailures(report: ConnectorReport): string[] {
  const found: string[] = [];
  for (const row of report.rows) {
    for (const side of [row.gateway, ...row.comparisons.map((c) => c.direct)]) {
      const m = side.measurement;
      if (m.non2xx > 0 || m.errors > 0) found.push(`${row.name}, ${side.label}: ${m.non2xx} non-2xx ${JSON.stringify(m.failedStatuses)}, ${m.errors} errors`);
      if (m.warmupFailures > 0) found.push(`${row.name}, ${side.label}: ${m.warmupFailures} failures in the warm-up`);
    }
  }
  return found;
}

const ms = (value: number | undefined, digits = 2) => (value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits));
const signed = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '-' : `${value >= 0 ? '+' : ''}${value.toFixed(2)}`);
const wholeMs = (s: SideResult) => (s.callsPerOperation === 1 ? `${s.measurement.latencyP50Ms} / ${s.measurement.latencyP99Ms}` : '- / -');
const exact = (s: SideResult) => `${ms(s.measurement.exact?.p50Ms)} / ${ms(s.measurement.exact?.p99Ms)}`;
const failed = (s: SideResult) => String(s.measurement.non2xx + s.measurement.errors);
/** req/s for a one-call side; operations/s (marked) when one operation is several requests. */
const rate = (s: SideResult) => `${Math.round(s.opsPerSecond)}${s.callsPerOperation === 1 ? '' : ' op'}`;

/** Where the time goes: CPU per operation of each process, and the machine's load when the side began. */
function cpuTable(report: ConnectorReport): string {
  const rows: string[][] = [];
  for (const row of report.rows) {
    for (const [i, side] of [...row.comparisons.map((c) => c.direct), row.gateway].entries()) {
      const cpu = side.cpuMsPerOperation;
      rows.push([i === 0 ? row.name : '', side.label, ms(cpu.emulator, 3), ms(cpu.gateway, 3), ms(cpu.autocannon, 3), ms(side.loadAverage1m)]);
    }
  }
  return table(['CPU ms per operation', 'side', 'emulator', 'gateway', 'autocannon', 'load 1m'], rows);
}

export function formatConnectorTable(report: ConnectorReport): string {
  const out: string[] = [];
  out.push(
    `scim-bridge connector bench (15five plugin → 15Five emulator, no injected latency): node ${report.node}, ${report.cpus} cpus, ` +
      `${report.connections} connections, ${report.warmupSeconds} s warm-up (discarded) + ${report.seconds} s per side, ` +
      `${report.users} users preloaded through the gateway in ${report.preloadSeconds.toFixed(1)} s`,
  );
  out.push(`load average (1/5/15 min): ${report.loadAverage.start.map((l) => l.toFixed(2)).join(' ')} at start, ${report.loadAverage.end.map((l) => l.toFixed(2)).join(' ')} at end (shared machine)`);
  out.push(`15five plugin rate limit raised from ${report.rateLimit.shipped} to ${report.rateLimit.raised} in a temp copy of plugins/, so this measures overhead, not the budget`);
  out.push(`gateway logging: ${report.logging}`);
  out.push(`latency: ${report.latencySource}`);
  out.push('');
  const rows: string[][] = [];
  for (const row of report.rows) {
    for (const [i, c] of row.comparisons.entries()) {
      rows.push([
        i === 0 ? row.name : '',
        c.direct.label,
        rate(c.direct),
        i === 0 ? rate(row.gateway) : '"',
        ms(c.ratio),
        wholeMs(c.direct),
        i === 0 ? wholeMs(row.gateway) : '"',
        exact(c.direct),
        i === 0 ? exact(row.gateway) : '"',
        signed(c.addedP50Ms),
        `<= ${report.targetAddedP50Ms} ${c.withinTarget ? 'ok' : 'MISSED'}`,
        `${failed(c.direct)} / ${i === 0 ? failed(row.gateway) : '"'}`,
      ]);
    }
  }
  out.push(
    table(
      ['scenario', 'direct (native)', 'direct req/s', 'gw req/s', 'gw/direct', 'direct p50/p99', 'gw p50/p99', 'direct p50/p99 exact', 'gw p50/p99 exact', 'added p50 ms', 'target', 'non-2xx d / gw'],
      rows,
    ),
  );
  out.push('');
  out.push('p50/p99: autocannon, whole ms; "exact": every response\'s own time, fractional ms; added p50 = gw exact p50 − direct exact p50');
  out.push('"op": operations/s of a multi-request operation (2 requests each); gw/direct compares operations');
  if (report.connections > 1) {
    out.push(
      `${report.connections} connections each waiting for its answer keep the servers saturated, so mean latency ≈ ${report.connections} ÷ req/s: ` +
        'the added p50 here is mostly the lower throughput; BENCH_CONNECTIONS=1 shows the latency a single request gains',
    );
  }
  out.push('');
  out.push(cpuTable(report));
  out.push('');
  for (const row of report.rows) {
    const sides = [...row.comparisons.map((c) => c.direct), row.gateway];
    const ranges = new Set(sides.map((s) => `${s.emulatorUsers.before}→${s.emulatorUsers.after}`));
    const users = ranges.size === 1 ? [...ranges][0]! : sides.map((s) => `${s.label} ${s.emulatorUsers.before}→${s.emulatorUsers.after}`).join(', ');
    out.push(`${row.name}: ${row.note ? `${row.note}. ` : ''}Emulator users: ${users}.`);
  }
  const missed = report.rows.flatMap((r) => r.comparisons.filter((c) => !c.withinTarget).map((c) => `${r.name} vs ${c.direct.label}: +${c.addedP50Ms.toFixed(2)} ms`));
  out.push(missed.length > 0 ? `target (gateway adds <= ${report.targetAddedP50Ms} ms at p50) missed: ${missed.join('; ')}` : `target (gateway adds <= ${report.targetAddedP50Ms} ms at p50) met everywhere`);
  return out.join('\n');
}
