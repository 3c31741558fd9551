/**
 * `npm run bench:lock-stall`: what another process holding the SQLite file's write lock does to the
 * gateway's other requests. The gateway (default configuration, its own data dir) runs as a child; the
 * bench probes /healthz one request at a time, first with nothing going on (the baseline), then while a
 * second process holds the write lock and one POST waits for it. Printed: the probes' p50 and worst
 * latency in both phases and their ratio, and how the waiting write was answered. Env: GATEWAY_SCRIPT (an
 * older build's dist/src/main.js, to measure before a change), BENCH_LOCK_MS (how long the lock is held,
 * default 3000).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, installCleanup, removeAtExit, startServer, stopServer } from './children.js';
import { benchCli, childEnv, REPO_ROOT } from './cli.js';

const cli = benchCli('bench:lock-stall');

interface Probes {
  p50: number;
  worst: number;
  count: number;
}

/** Sequential /healthz requests for `ms`: each one's latency. */
async function probe(origin: string, ms: number): Promise<Probes> {
  const latencies: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const start = performance.now();
    const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  return { p50: latencies[Math.floor(latencies.length / 2)] ?? 0, worst: latencies[latencies.length - 1] ?? 0, count: latencies.length };
}

/** A process that holds the write lock of `file` for `ms`, then lets go. */
function holdLock(file: string, ms: number): Promise<void> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(file)});
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, ${ms});
  `;
  const child = spawn(process.execPath, ['-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((done, fail) => {
    child.stdout.once('data', () => done());
    child.once('exit', (code) => (code === 0 ? undefined : fail(new Error(`lock holder exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  cli.flags(process.argv.slice(2), []);
  const lockMs = cli.intFromEnv('BENCH_LOCK_MS', 3000, 100, 60_000);
  const script = resolve(process.env.GATEWAY_SCRIPT || join(REPO_ROOT, 'dist/src/main.js'));
  installCleanup();
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-bridge-lock-'));
  removeAtExit(dataDir);
  const token = randomBytes(24).toString('hex');
  const port = await freePort();
  const server = await startServer({
    name: 'gateway',
    script,
    cwd: REPO_ROOT,
    env: childEnv({ SCIM_BRIDGE_TOKEN: token, SCIM_BRIDGE_DATA_DIR: dataDir, SCIM_BRIDGE_LOG_LEVEL: 'warn' }, ['SCIM_BRIDGE_DATABASE_URL', 'SCIM_BRIDGE_CONFIG']),
    port,
    healthUrl: `http://127.0.0.1:${port}/healthz`,
  });
  const origin = `http://127.0.0.1:${port}`;
  try {
    cli.progress('baseline: /healthz with nothing else going on');
    const idle = await probe(origin, 1000);
    cli.progress(`holding the write lock for ${lockMs} ms while one POST waits for it`);
    await holdLock(join(dataDir, 'scim-bridge.db'), lockMs);
    const startedWrite = performance.now();
    const write = fetch(`${origin}/apps/directory/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'locked@example.com' }),
      signal: AbortSignal.timeout(120_000),
    }).then(async (res) => ({ status: res.status, retryAfter: res.headers.get('retry-after'), ms: performance.now() - startedWrite, body: await res.text() }));
    const locked = await probe(origin, Math.min(lockMs, 2000));
    const answered = await write;
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    process.stdout.write(
      [
        `gateway: ${script.replace(REPO_ROOT, '')}`,
        `/healthz idle:            p50 ${ms(idle.p50)}, worst ${ms(idle.worst)} (${idle.count} probes)`,
        `/healthz while locked:    p50 ${ms(locked.p50)}, worst ${ms(locked.worst)} (${locked.count} probes)`,
        `worst-case stall ratio:   ${(locked.worst / Math.max(idle.worst, 0.001)).toFixed(1)}× the idle worst`,
        `the waiting POST:         ${answered.status}${answered.retryAfter ? ` (Retry-After ${answered.retryAfter})` : ''} after ${ms(answered.ms)}`,
      ].join('\n') + '\n',
    );
  } finally {
    await stopServer(server);
  }
}

cli.run(main);
