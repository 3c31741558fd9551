/**
 * What the stall benches share (`bench:group-patch`, `bench:scan`): the gateway in a child process on the
 * default configuration with some `server:` settings changed, users preloaded, and one request timed while
 * a probe keeps asking `/healthz`: the probe's slowest answer is how long the event loop was blocked for
 * everybody else. Figures are printed as ratios against a cheap request measured in the same run.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { freePort, removeAtExit, startServer, type ServerChild } from './children.js';
import { childEnv, REPO_ROOT } from './cli.js';
import { preloadUsers } from './preload.js';
import { SCIM_BASE_PATH } from './scenarios.js';

const GATEWAY_SCRIPT = join(REPO_ROOT, 'dist/src/main.js');

export interface StallGateway {
  server: ServerChild;
  origin: string;
  /** Authorization and SCIM content type. */
  headers: Record<string, string>;
  /** The preloaded users' ids, in preload order. */
  userIds: string[];
  preloadSeconds: number;
}

/**
 * config/gateway.yaml with `server` entries replaced by `server` and the per-app inbound rate limit lifted
 * (the benches measure the gateway, not the limiter); written into `dir`.
 */
function configWith(dir: string, server: Record<string, unknown>): string {
  const source = join(REPO_ROOT, 'config/gateway.yaml');
  const config = parseYaml(readFileSync(source, 'utf8')) as Record<string, unknown>;
  if (Array.isArray(config.schemas)) config.schemas = config.schemas.map((f) => resolvePath(dirname(source), String(f)));
  config.server = { ...((config.server ?? {}) as Record<string, unknown>), ...server };
  config.security = { ...((config.security ?? {}) as Record<string, unknown>), appRateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 } };
  const file = join(dir, 'bench-gateway.yaml');
  writeFileSync(file, stringifyYaml(config));
  return file;
}

export async function startStallGateway(options: {
  name: string;
  users: number;
  server: Record<string, unknown>;
  progress: (message: string) => void;
}): Promise<StallGateway> {
  if (!existsSync(GATEWAY_SCRIPT)) throw new Error(`${options.name}: ${GATEWAY_SCRIPT} does not exist (npm run build)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-bridge-bench-'));
  removeAtExit(dataDir);
  const token = randomBytes(24).toString('hex');
  const port = await freePort();
  options.progress(`starting the gateway on port ${port}`);
  const server = await startServer({
    name: 'gateway',
    script: GATEWAY_SCRIPT,
    cwd: REPO_ROOT,
    env: childEnv(
      {
        SCIM_BRIDGE_TOKEN: token,
        SCIM_BRIDGE_DATA_DIR: dataDir,
        SCIM_BRIDGE_CONFIG: configWith(dataDir, options.server),
        SCIM_BRIDGE_LOG_LEVEL: 'warn',
      },
      ['SCIM_BRIDGE_TOKEN_DIRECTORY'],
    ),
    port,
    healthUrl: `http://127.0.0.1:${port}/healthz`,
  });
  const origin = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
  options.progress(`preloading ${options.users} users`);
  const preload = await preloadUsers(origin, headers, options.users, 16);
  options.progress(`preloaded in ${preload.seconds.toFixed(1)} s`);
  return { server, origin, headers, userIds: preload.ids, preloadSeconds: preload.seconds };
}

export interface Timed {
  status: number;
  /** Wall time of the request, ms. */
  ms: number;
  /** The slowest /healthz answer while it ran, ms. */
  healthzMaxMs: number;
}

/** Sends one SCIM request while a probe asks /healthz back to back; both timed from here. */
export async function timedWithProbe(gateway: StallGateway, method: string, path: string, body?: unknown): Promise<Timed> {
  let running = true;
  let healthzMaxMs = 0;
  const probe = (async () => {
    while (running) {
      const started = performance.now();
      const res = await fetch(`${gateway.origin}/healthz`, { signal: AbortSignal.timeout(120_000) });
      await res.arrayBuffer();
      healthzMaxMs = Math.max(healthzMaxMs, performance.now() - started);
    }
  })();
  // Let the probe's first round trip finish so it is in its loop when the request lands.
  await new Promise((r) => setTimeout(r, 20));
  const started = performance.now();
  const res = await fetch(`${gateway.origin}${SCIM_BASE_PATH}${path}`, {
    method,
    headers: gateway.headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(600_000),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  running = false;
  await probe;
  if (res.status >= 500) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return { status: res.status, ms, healthzMaxMs };
}

/** The median of `runs` timings of the same kind of request (`make` gives each run its arguments). */
export async function medianOf(runs: number, make: (i: number) => Promise<Timed>): Promise<Timed> {
  const all: Timed[] = [];
  for (let i = 0; i < runs; i += 1) all.push(await make(i));
  const mid = (pick: (t: Timed) => number) => all.map(pick).sort((a, b) => a - b)[Math.floor(runs / 2)]!;
  return { status: all[0]!.status, ms: mid((t) => t.ms), healthzMaxMs: mid((t) => t.healthzMaxMs) };
}

export interface StallRow {
  name: string;
  timed: Timed;
}

/** One line per row: status, ms, ratio to the baseline row, slowest /healthz and its ratio. */
export function formatStallTable(baseline: StallRow, rows: readonly StallRow[]): string {
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  const ratio = (n: number, d: number) => `${(n / Math.max(d, 0.001)).toFixed(1)}×`;
  const lines = [
    `| scenario | status | request ms | × baseline | slowest /healthz ms | × baseline |`,
    `|---|---|---|---|---|---|`,
  ];
  for (const row of [baseline, ...rows]) {
    const t = row.timed;
    lines.push(
      `| ${row.name} | ${t.status} | ${fmt(t.ms)} | ${ratio(t.ms, baseline.timed.ms)} | ${fmt(t.healthzMaxMs)} | ${ratio(t.healthzMaxMs, baseline.timed.healthzMaxMs)} |`,
    );
  }
  return lines.join('\n');
}
