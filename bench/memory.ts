/**
 * `npm run bench:memory`: the gateway's memory with many users. The users are written into a fresh SQLite
 * file through the store itself (writing 100,000 over HTTP would take minutes and measure nothing new),
 * then the gateway starts on that file and a client walks the whole list page by page (`startIndex`,
 * `count` = server.maxResults), as a reconciling client would. Printed: the gateway's RSS after start-up
 * and its peak (VmHWM) after the walk, against the same figures of the bare express baseline.
 *
 * Env: BENCH_USERS (default 100000), BENCH_LOG_LEVEL (the gateway's, default info).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { freePort, installCleanup, readMemory, removeAtExit, startServer, stopServer, type ServerChild } from './children.js';
import { benchCli, REPO_ROOT } from './cli.js';
import { preloadUserName, SCIM_BASE_PATH, userBody } from './scenarios.js';
import { childEnv, startBaseline } from './servers.js';

const cli = benchCli('bench:memory');
const { progress, intFromEnv } = cli;
/** The target for the gateway's peak with 100,000 users after a full walk. */
const TARGET_PEAK_MIB = 200;
const PAGE = 1000;
const MIB = 1024 * 1024;

/** The users, as the gateway would store them, in batches the store commits together. */
async function fillStore(path: string, users: number): Promise<void> {
  const store = new SqliteStore({ path });
  await store.migrate();
  const batch = 500;
  for (let from = 0; from < users; from += batch) {
    const writes: Promise<unknown>[] = [];
    for (let i = from; i < Math.min(users, from + batch); i += 1) writes.push(store.create('directory', 'User', { data: userBody(preloadUserName(i), i) }));
    await Promise.all(writes);
    if (from % 20_000 === 0) progress(`${from} users written`);
  }
  await store.close();
}

async function walk(origin: string, token: string): Promise<{ pages: number; users: number; seconds: number }> {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/scim+json' };
  const t0 = performance.now();
  let pages = 0;
  let seen = 0;
  for (let startIndex = 1; ; startIndex += PAGE) {
    const res = await fetch(`${origin}${SCIM_BASE_PATH}/Users?startIndex=${startIndex}&count=${PAGE}`, { headers });
    if (res.status !== 200) throw new Error(`bench:memory: page at ${startIndex} answered ${res.status}`);
    const body = (await res.json()) as { Resources?: unknown[]; totalResults: number };
    pages += 1;
    seen += body.Resources?.length ?? 0;
    if (startIndex + PAGE > body.totalResults) break;
  }
  return { pages, users: seen, seconds: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  cli.flags(process.argv.slice(2), []);
  const users = intFromEnv('BENCH_USERS', 100_000, 1, 1_000_000);
  const logLevel = process.env.BENCH_LOG_LEVEL || 'info';
  installCleanup();
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-bridge-bench-memory-'));
  removeAtExit(dataDir);
  progress(`writing ${users} users into ${dataDir}/scim-bridge.db through the SQLite store`);
  await fillStore(join(dataDir, 'scim-bridge.db'), users);

  const started: ServerChild[] = [];
  try {
    const runTag = Date.now().toString(36);
    const baseline = await startBaseline(1, runTag, progress);
    started.push(baseline.server);
    const token = randomBytes(24).toString('hex');
    const port = await freePort();
    const gateway = await startServer({
      name: 'gateway',
      script: join(REPO_ROOT, 'dist/src/main.js'),
      cwd: REPO_ROOT,
      env: childEnv({ SCIM_BRIDGE_TOKEN: token, SCIM_BRIDGE_DATA_DIR: dataDir, SCIM_BRIDGE_LOG_LEVEL: logLevel }),
      port,
      healthUrl: `http://127.0.0.1:${port}/healthz`,
    });
    started.push(gateway);
    const atStart = readMemory(gateway.process.pid!).rssBytes;
    progress(`walking every user, ${PAGE} a page`);
    const walked = await walk(`http://127.0.0.1:${port}`, token);
    const gatewayMemory = readMemory(gateway.process.pid!);
    const baselineMemory = readMemory(baseline.server.process.pid!);
    const peakMib = gatewayMemory.peakRssBytes / MIB;
    process.stdout.write(
      [
        `scim-bridge memory bench: node ${process.version}, ${users} users in SQLite, gateway log level ${logLevel}`,
        `walk: ${walked.users} users in ${walked.pages} pages of ${PAGE}, ${walked.seconds.toFixed(1)} s`,
        `gateway RSS after start-up: ${(atStart / MIB).toFixed(1)} MiB; after the walk ${(gatewayMemory.rssBytes / MIB).toFixed(1)} MiB, peak (VmHWM) ${peakMib.toFixed(1)} MiB (target ≤ ${TARGET_PEAK_MIB})`,
        `baseline (bare express) peak: ${(baselineMemory.peakRssBytes / MIB).toFixed(1)} MiB`,
      ].join('\n') + '\n',
    );
    if (walked.users !== users) throw new Error(`bench:memory: the walk saw ${walked.users} users, not ${users}`);
    if (peakMib > TARGET_PEAK_MIB) {
      process.stderr.write(`targets missed: peak RSS ${peakMib.toFixed(1)} MiB > ${TARGET_PEAK_MIB}\n`);
      process.exitCode = 1;
    }
  } finally {
    for (const server of started) await stopServer(server);
  }
}

cli.run(main);
