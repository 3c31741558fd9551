/**
 * `npm run bench:ops`: what the operations work costs per request — Prometheus metrics (a histogram
 * observation per request, per store call) and audit rows (one per write, in its transaction) — as the
 * throughput of three gateways on the default `directory` app, measured in turns in one run:
 * `off` (neither), `metrics` (metrics only) and `full` (both, as `npm start` runs). Ratios are against
 * `off`. BENCH_SECONDS (default 6) per scenario and gateway in BENCH_ROUNDS turns (default 4), BENCH_USERS
 * (default 1000) preloaded.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, installCleanup, readCpuMs, removeAtExit, startServer, stopServer, type ServerChild } from './children.js';
import { childEnv, REPO_ROOT as ROOT } from './cli.js';
import { measureInterleaved, type LoadSide } from './load.js';
import { preloadUsers } from './preload.js';
import { SCENARIOS, type Target } from './scenarios.js';

const VARIANTS = ['off', 'metrics', 'full'] as const;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const USERS = Number(process.env.BENCH_USERS ?? 1000);
/** Turns per scenario: each gateway runs SECONDS / ROUNDS at a time, so all three see the same machine load. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const SERVER_SCRIPT = fileURLToPath(new URL('./ops-server.js', import.meta.url));
const MEASURED = ['GET filter userName eq', 'PATCH replace title', 'POST create'];

installCleanup();
const token = randomBytes(24).toString('hex');
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' };

interface Side {
  variant: (typeof VARIANTS)[number];
  server: ServerChild;
  origin: string;
  target: Target;
}

async function start(variant: (typeof VARIANTS)[number]): Promise<Side> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `scim-bridge-bench-ops-${variant}-`));
  removeAtExit(dataDir);
  const server = await startServer({
    name: `gateway (${variant})`,
    script: SERVER_SCRIPT,
    cwd: ROOT,
    env: childEnv({ OPS_VARIANT: variant, SCIM_BRIDGE_TOKEN: token, SCIM_BRIDGE_DATA_DIR: dataDir }, ['SCIM_BRIDGE_TOKEN_DIRECTORY', 'SCIM_BRIDGE_DATABASE_URL']),
    port,
    healthUrl: `http://127.0.0.1:${port}/healthz`,
  });
  const origin = `http://127.0.0.1:${port}`;
  const preload = await preloadUsers(origin, headers, USERS, 8);
  process.stdout.write(`${variant}: ${USERS} users preloaded in ${preload.seconds.toFixed(1)} s\n`);
  return { variant, server, origin, target: { headers, userNames: preload.userNames, ids: preload.ids, runTag: randomUUID().slice(0, 8) } };
}

const sides: Side[] = [];
for (const variant of VARIANTS) sides.push(await start(variant));
const rows: string[] = [];
for (const scenario of SCENARIOS.filter((s) => MEASURED.includes(s.name))) {
  const cpu = sides.map(() => 0);
  const load: LoadSide[] = sides.map((side, i) => {
    let before = 0;
    return {
      url: side.origin,
      scenario,
      target: side.target,
      hooks: { before: () => (before = readCpuMs(side.server.process.pid!)), after: () => (cpu[i]! += readCpuMs(side.server.process.pid!) - before) },
    };
  });
  const results = await measureInterleaved(load, { connections: 10, warmupSeconds: 1, seconds: SECONDS }, ROUNDS);
  const base = results[0]!;
  const cells = results.map((r, i) => {
    const cpuPerRequest = (cpu[i]! * 1000) / Math.max(1, r.requests);
    const ratio = i === 0 ? '' : ` (${(r.requestsPerSecond / base.requestsPerSecond).toFixed(2)})`;
    return `${Math.round(r.requestsPerSecond)}${ratio}, ${cpuPerRequest.toFixed(0)} µs CPU`;
  });
  const failures = results.map((r) => Object.entries(r.failedStatuses).map(([status, n]) => `${n}× ${status}`).join(', ')).filter(Boolean);
  rows.push(`| ${scenario.name} | ${cells.join(' | ')} |${failures.length > 0 ? ` failed: ${failures.join('; ')}` : ''}`);
}
process.stdout.write(`\n| scenario | off: req/s, CPU per request | metrics (÷ off) | metrics + audit (÷ off) |\n|---|---|---|---|\n${rows.join('\n')}\n`);
for (const side of sides) await stopServer(side.server);
