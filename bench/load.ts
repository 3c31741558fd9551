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
}

function run(url: string, requests: autocannon.Request[], headers: Record<string, string>, connections: number, seconds: number) {
  return autocannon({ url, connections, duration: seconds, headers, requests, timeout: 10 });
}

function failedStatuses(result: autocannon.Result): Record<string, number> {
  const failed: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    if (!code.startsWith('2') && stat.count) failed[code] = stat.count;
  }
  return failed;
}

export async function measure(url: string, scenario: Scenario, target: Target, settings: LoadSettings): Promise<Measurement> {
  const warmup = await run(url, scenario.requests(target), target.headers, settings.connections, settings.warmupSeconds);
  const result = await run(url, scenario.requests(target), target.headers, settings.connections, settings.seconds);
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    warmupFailures: warmup.non2xx + warmup.errors,
    failedStatuses: failedStatuses(result),
  };
}
