/**
 * `npm run bench:scim`: what the scim connector adds to a call, one run. The 15Five SCIM emulator and the
 * gateway (config/demo.yaml's `15five-scim` app, SQLite in a temp dir) run in this process on loopback;
 * the same user is read and patched directly at the emulator and through the gateway, interleaved, and
 * the p50 of each is printed with the difference. A proxied GET is answered from the gateway's record; a
 * proxied PATCH reads and claims in the store, sends the PATCH downstream and commits.
 * Env: BENCH_REQUESTS (default 400 per kind).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createGateway } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { closeServer, createHttpServer } from '../src/http/connections.js';
import { startEmulator } from '../test/emulators/index.js';
import { benchCli, median, REPO_ROOT } from './cli.js';

const cli = benchCli('bench:scim');
const TOKEN = 'bench-scim-token-0123456789abcdef';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

async function timed(send: () => Promise<Response>): Promise<number> {
  const start = process.hrtime.bigint();
  const res = await send();
  await res.arrayBuffer();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status >= 300) throw new Error(`unexpected HTTP ${res.status}`);
  return ms;
}

cli.run(async () => {
  const requests = cli.intFromEnv('BENCH_REQUESTS', 400, 10, 100_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-scim-'));
  // The plugin's rate budget (10/s, a guess at 15Five's) would be what a sequential bench measures: raised
  // in a copy, so the figures are the proxy's own cost.
  const pluginsDir = join(dataDir, 'plugins');
  cpSync(join(REPO_ROOT, 'plugins'), pluginsDir, { recursive: true });
  const pluginFile = join(pluginsDir, '15five-scim', 'scim.yaml');
  writeFileSync(pluginFile, readFileSync(pluginFile, 'utf8').replace('requestsPerSecond: 10, concurrency: 4', 'requestsPerSecond: 10000, concurrency: 8'));
  const emu = await startEmulator('15five-scim');
  const env = { SCIM_BRIDGE_TOKEN: TOKEN, SCIM_BRIDGE_PLUGINS_DIR: pluginsDir, FIFTEEN_FIVE_SCIM_URL: emu.url, FIFTEEN_FIVE_SCIM_TOKEN: emu.credentials.token! };
  // Every demo app needs its variables to load; the others are never called.
  const others = { FIFTEEN_FIVE_API_KEY: 'k', BAMBOOHR_BASE_URL: 'http://127.0.0.1:1', BAMBOOHR_API_KEY: 'k', HIBOB_SERVICE_USER: 'u', HIBOB_TOKEN: 't', PERSONIO_CLIENT_ID: 'c', PERSONIO_CLIENT_SECRET: 's' };
  const config = loadConfig(join(REPO_ROOT, 'config/demo.yaml'), { dataDir, env: { ...others, ...env } });
  const gateway = await createGateway(config, { env: { ...others, ...env }, log: pino({ level: 'silent' }) });
  const server = createHttpServer(gateway.handler, config.security.http, { maxConnections: 100 }, pino({ level: 'silent' }));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/apps/15five-scim/scim/v2`;
  try {
    const viaGateway = (path: string, init: RequestInit = {}) =>
      fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' } });
    const direct = (path: string, init: RequestInit = {}) =>
      fetch(`${emu.url}${path}`, { ...init, headers: { authorization: `Bearer ${emu.credentials.token}`, 'content-type': 'application/scim+json' } });
    const created = await viaGateway('/Users', {
      method: 'POST',
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bench@acme.example', name: { givenName: 'Ben', familyName: 'Ch' } }),
    });
    const { id } = (await created.json()) as { id: string };
    const nativeId = emu.users()[0]!.id as string;
    const patch = (i: number) => ({ method: 'PATCH', body: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: `T${i}` }] }) });

    const samples = { directGet: [] as number[], gatewayGet: [] as number[], directPatch: [] as number[], gatewayPatch: [] as number[] };
    cli.progress(`${requests} of each, interleaved`);
    for (let i = 0; i < requests; i += 1) {
      samples.directGet.push(await timed(() => direct(`/Users/${nativeId}`)));
      samples.gatewayGet.push(await timed(() => viaGateway(`/Users/${id}`)));
      samples.directPatch.push(await timed(() => direct(`/Users/${nativeId}`, patch(2 * i))));
      samples.gatewayPatch.push(await timed(() => viaGateway(`/Users/${id}`, patch(2 * i + 1))));
    }
    const row = (name: string, d: number[], g: number[]) =>
      `${name.padEnd(6)} direct p50 ${median(d).toFixed(2)} ms   via gateway p50 ${median(g).toFixed(2)} ms   added ${(median(g) - median(d)).toFixed(2)} ms   ratio ${(median(g) / median(d)).toFixed(2)}`;
    process.stdout.write(`bench:scim (${requests} requests of each kind, one run)\n`);
    process.stdout.write(`${row('GET', samples.directGet, samples.gatewayGet)}\n`);
    process.stdout.write(`${row('PATCH', samples.directPatch, samples.gatewayPatch)}\n`);
  } finally {
    await closeServer(server, 1000);
    await gateway.close();
    await emu.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
