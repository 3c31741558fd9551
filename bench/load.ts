/**
 * Drives one scenario against one server with autocannon, in this process: a short warm-up run whose
 * figures are thrown away (JIT, SQLite page cache, connection set-up), then the measured run.
 */
import autocannon from 'autocannon';
import type { Scenario, Target } from './scenarios.js';

export interface LoadSettings {
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** Also keep every response time and compute percentiles from them (Measurement.exact). */
  timings?: boolean;
}

/** Percentiles over every measured response (or operation: Scenario.callsPerOperation), in fractional milliseconds. */
export interface ExactLatency {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  samples: number;
}

export interface Measurement {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
  non2xx: number;
  /** Connection errors and timeouts: a request that got no response at all. */
  errors: number;
  /** Non-2xx plus errors seen during the discarded warm-up run. */
  warmupFailures: number;
  /** Status code → count for everything that was not 2xx, to say what went wrong. */
  failedStatuses: Record<string, number>;
  /** Only when LoadSettings.timings is set. */
  exact?: ExactLatency;
}

/**
 * autocannon's own percentiles are whole milliseconds (its histogram stores integers); with `timings` every
 * response's time as autocannon measured it (hrtime from write to last byte, fractional ms) is kept too.
 */
function run(
  url: string,
  requests: autocannon.Request[],
  headers: Record<string, string>,
  connections: number,
  seconds: number,
  timings?: number[],
  callsPerOperation = 1,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: seconds, headers, requests, timeout: 10 }, (error, result) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result),
    );
    if (!timings) return;
    if (callsPerOperation === 1) {
      instance.on('response', (_client, _status, _bytes, responseTime) => timings.push(responseTime));
      return;
    }
    // One connection sends its requests in turn and waits for each answer (no pipelining): its next
    // `callsPerOperation` responses are one operation. A run that ends mid-operation drops the part.
    const partial = new Map<object, { calls: number; ms: number }>();
    instance.on('response', (client, _status, _bytes, responseTime) => {
      const op = partial.get(client) ?? { calls: 0, ms: 0 };
      op.calls += 1;
      op.ms += responseTime;
      if (op.calls < callsPerOperation) return void partial.set(client, op);
      partial.delete(client);
      timings.push(op.ms);
    });
  });
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function exactLatency(timings: readonly number[]): ExactLatency {
  const sorted = Float64Array.from(timings).sort();
  const mean = timings.length === 0 ? Number.NaN : timings.reduce((sum, t) => sum + t, 0) / timings.length;
  return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), meanMs: mean, samples: timings.length };
}

function failedStatuses(result: autocannon.Result): Record<string, number> {
  const failed: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    if (!code.startsWith('2') && stat.count) failed[code] = stat.count;
  }
  return failed;
}

/** Called right before and right after each measured run (not the warm-up): e.g. to read CPU time. */
export interface RunHooks {
  before?(): void;
  after?(): void;
}

export async function measure(url: string, scenario: Scenario, target: Target, settings: LoadSettings, hooks: RunHooks = {}): Promise<Measurement> {
  const warmup = await run(url, scenario.requests(target), target.headers, settings.connections, settings.warmupSeconds);
  const timings: number[] | undefined = settings.timings ? [] : undefined;
  hooks.before?.();
  const result = await run(url, scenario.requests(target), target.headers, settings.connections, settings.seconds, timings, scenario.callsPerOperation);
  hooks.after?.();
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    warmupFailures: warmup.non2xx + warmup.errors,
    failedStatuses: failedStatuses(result),
    ...(timings ? { exact: exactLatency(timings) } : {}),
  };
}

/** One of the servers/scenarios measureInterleaved takes turns on. */
export interface LoadSide {
  url: string;
  scenario: Scenario;
  target: Target;
  hooks?: RunHooks;
}

/**
 * Several sides measured in turns, for a server whose cost grows with what the load adds (an emulator
 * that scans all its users on every create): each side is warmed up once, then in each of `rounds` rounds
 * every side runs seconds/rounds, so all sides see the same range of sizes instead of the last one seeing
 * the most. Figures are pooled per side: req/s over the summed durations, percentiles over every response
 * (timings are always kept); the whole-ms p50/p99 are those pooled times truncated, as autocannon's own
 * histogram truncates.
 */
export async function measureInterleaved(sides: readonly LoadSide[], settings: LoadSettings, rounds: number): Promise<Measurement[]> {
  const warmupFailures: number[] = [];
  for (const side of sides) {
    const warmup = await run(side.url, side.scenario.requests(side.target), side.target.headers, settings.connections, settings.warmupSeconds);
    warmupFailures.push(warmup.non2xx + warmup.errors);
  }
  const pooled = sides.map(() => ({ timings: [] as number[], requests: 0, seconds: 0, non2xx: 0, errors: 0, failed: {} as Record<string, number> }));
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, side] of sides.entries()) {
      const p = pooled[i]!;
      side.hooks?.before?.();
      const result = await run(side.url, side.scenario.requests(side.target), side.target.headers, settings.connections, settings.seconds / rounds, p.timings, side.scenario.callsPerOperation);
      side.hooks?.after?.();
      p.requests += result.requests.total;
      p.seconds += result.duration;
      p.non2xx += result.non2xx;
      p.errors += result.errors;
      for (const [code, count] of Object.entries(failedStatuses(result))) p.failed[code] = (p.failed[code] ?? 0) + count;
    }
  }
  return pooled.map((p, i) => {
    const exact = exactLatency(p.timings);
    return {
      requestsPerSecond: p.seconds > 0 ? p.requests / p.seconds : 0,
      latencyP50Ms: Math.floor(exact.p50Ms),
      latencyP99Ms: Math.floor(exact.p99Ms),
      requests: p.requests,
      non2xx: p.non2xx,
      errors: p.errors,
      warmupFailures: warmupFailures[i]!,
      failedStatuses: p.failed,
      exact,
    };
  });
}
