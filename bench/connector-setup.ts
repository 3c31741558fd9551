/**
 * The files `npm run bench:connector` runs the gateway on, in a temp dir removed at exit: a one-app
 * configuration (the 15five block of config/demo.yaml, unchanged) and a copy of plugins/ in which the
 * 15five plugin's downstream rate limit is raised. The shipped 10 req/s budget is what real 15Five allows;
 * left in place, the bench would measure that budget instead of the gateway's own cost.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { removeAtExit } from './children.js';

export const APP = '15five';

/**
 * The plugin format's ceiling (10,000 req/s; burst defaults to the rate): far above what one gateway
 * process reaches here, so the budget never makes a request wait. Concurrency 64 > 10 connections.
 */
export const RAISED_RATE_LIMIT = { requestsPerSecond: 10_000, concurrency: 64 };

export interface BenchFiles {
  dir: string;
  configFile: string;
  pluginsDir: string;
  dataDir: string;
  /** What plugins/15five/plugin.yaml ships, e.g. "10 req/s, concurrency 4". */
  shippedRateLimit: string;
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`bench:connector: ${where} is not a mapping`);
  return value as Record<string, unknown>;
}

/** Where the gateway keeps its state: a SQLite file in the data dir, or a PostgreSQL schema (the URL from the environment). */
export type ConnectorBenchStore = { kind: 'sqlite' } | { kind: 'postgres'; schema: string };

/** The plugin's rate limit in the copy the gateway runs on. */
export interface BenchRateLimit {
  requestsPerSecond: number;
  concurrency: number;
  burst?: number;
}

/** The demo's 15five app entry, plus limits that would otherwise answer the load with 429s. */
function configYaml(repoRoot: string, store: ConnectorBenchStore): string {
  const demo = asRecord(parseDocument(readFileSync(join(repoRoot, 'config/demo.yaml'), 'utf8')).toJS(), 'config/demo.yaml');
  const app = asRecord(asRecord(demo.apps, 'config/demo.yaml: apps')[APP], `config/demo.yaml: apps.${APP}`);
  return stringify({
    security: {
      // The inbound per-app budget (default 200 req/s) and the failed-auth throttle are not under test.
      failedAuth: { maxFailures: 100_000 },
      appRateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 },
    },
    store: store.kind === 'sqlite' ? { kind: 'sqlite', path: 'bench.db' } : { kind: 'postgres', schema: store.schema },
    apps: { [APP]: app },
  });
}

/** Copies plugins/ and rewrites only connection.rateLimit of the 15five plugin (comments kept). */
function setRateLimit(pluginsDir: string, rateLimit: BenchRateLimit): string {
  const file = join(pluginsDir, APP, 'plugin.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const plugin = asRecord(doc.toJS(), file);
  const was = asRecord(asRecord(plugin.connection, `${file}: connection`).rateLimit, `${file}: connection.rateLimit`);
  doc.setIn(['connection', 'rateLimit'], doc.createNode(rateLimit, { flow: true }));
  writeFileSync(file, doc.toString());
  return `${String(was.requestsPerSecond)} req/s, concurrency ${String(was.concurrency)}`;
}

export function writeBenchFiles(
  repoRoot: string,
  options: { rateLimit?: BenchRateLimit; store?: ConnectorBenchStore } = {},
): BenchFiles {
  const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-bench-connector-'));
  removeAtExit(dir);
  const pluginsDir = join(dir, 'plugins');
  cpSync(join(repoRoot, 'plugins'), pluginsDir, { recursive: true });
  const shippedRateLimit = setRateLimit(pluginsDir, options.rateLimit ?? RAISED_RATE_LIMIT);
  const configFile = join(dir, 'gateway.yaml');
  writeFileSync(configFile, configYaml(repoRoot, options.store ?? { kind: 'sqlite' }));
  const dataDir = join(dir, 'data');
  return { dir, configFile, pluginsDir, dataDir, shippedRateLimit };
}
