/**
 * `npm start` on PostgreSQL behind a TCP relay that the test cuts: /readyz turns 503 with a JSON reason
 * while the database is away and 200 again by itself; /healthz (liveness) stays 200; probes write no log
 * line; the admin listener keeps serving /metrics, which the SCIM port never does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { read, TEST_TOKEN } from '../support/gateway.js';
import { createTestSchema, testDatabaseUrl, type TestSchema } from '../support/postgres.js';
import { exited, freePort, startMain, type GatewayProcess } from '../support/processes.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('readiness on PostgreSQL, and the admin listener of the real entry point', () => {
  let schema: TestSchema;
  let relay: TcpProxy;
  let gateway: GatewayProcess;
  let dir: string;
  let adminPort: number;

  beforeAll(async () => {
    schema = await createTestSchema();
    const url = new URL(testDatabaseUrl());
    relay = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(relay.port);
    adminPort = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'scim-bridge-readyz-'));
    const config = join(dir, 'gateway.yaml');
    writeFileSync(
      config,
      `store: { kind: postgres, schema: ${schema.schema} }\nadmin: { listen: "127.0.0.1:${adminPort}" }\n` +
        'apps:\n  directory:\n    connector: store\n    auth:\n      secrets:\n        - env: SCIM_BRIDGE_TOKEN\n',
    );
    gateway = await startMain({ SCIM_BRIDGE_CONFIG: config, SCIM_BRIDGE_DATA_DIR: dir, SCIM_BRIDGE_TOKEN: TEST_TOKEN, SCIM_BRIDGE_DATABASE_URL: url.toString() });
  }, 60_000);
  afterAll(async () => {
    gateway?.child.kill('SIGKILL');
    if (gateway) await exited(gateway.child);
    await relay?.close();
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('goes 503 with a reason while the database is down, and 200 again when it is back', async () => {
    const before = await read(await fetch(`${gateway.origin}/readyz`));
    expect([before.status, before.body]).toStrictEqual([200, { status: 'ready' }]);

    await relay.cut();
    const during = await read(await fetch(`${gateway.origin}/readyz`, { signal: AbortSignal.timeout(15_000) }));
    expect(during.status).toBe(503);
    expect(during.type).toMatch(/json/);
    expect(during.body).toStrictEqual({ status: 'unavailable', reason: 'the store does not answer' });
    const live = await read(await fetch(`${gateway.origin}/healthz`, { signal: AbortSignal.timeout(15_000) }));
    expect([live.status, live.body]).toStrictEqual([200, { status: 'ok', store: 'unavailable' }]);
    // The operator's listener still answers, and counts the store's failures.
    const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    expect(metrics).toMatch(/^scim_bridge_store_operation_duration_seconds_count\{operation="ping",outcome="error"\} [1-9]/m);

    await relay.restore();
    let ready = 0;
    for (let i = 0; i < 100 && ready !== 200; i += 1) {
      ready = (await fetch(`${gateway.origin}/readyz`)).status;
      if (ready !== 200) await pause(100);
    }
    expect(ready).toBe(200);
  });

  it('logs probes only when readiness fails, and serves /metrics on the admin address alone', async () => {
    for (let i = 0; i < 3; i += 1) {
      await fetch(`${gateway.origin}/healthz`);
      await fetch(`${gateway.origin}/readyz`);
    }
    await pause(200);
    const lines = gateway.output().split('\n').filter((l) => l.startsWith('{'));
    const probeLines = lines.map((l) => JSON.parse(l) as { path?: string; status?: number }).filter((l) => l.path === '/healthz' || l.path === '/readyz');
    expect(probeLines.map((l) => `${l.path} ${l.status}`)).toStrictEqual(['/readyz 503']);
    expect(lines.some((l) => l.includes('"msg":"admin listener (metrics, admin page)"') && l.includes(`127.0.0.1:${adminPort}`))).toBe(true);
    expect((await fetch(`${gateway.origin}/metrics`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${adminPort}/metrics`)).status).toBe(200);
  });
});
