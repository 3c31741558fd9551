/**
 * Several replicas on one PostgreSQL database, as `npm start` runs them (dist/src/main.js, one process
 * each), with requests spread at random the way a load balancer spreads Entra's: one native user per
 * person, a native failure changes nothing, a replica killed with -9 loses nothing it acknowledged and the
 * claim it held lapses, and a database that goes away is answered with 503 + Retry-After, never a 500 or
 * a hang, until the gateway recovers by itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulators/index.js';
import { read, TEST_TOKEN, USER_SCHEMA } from '../support/gateway.js';
import { entraClient } from './entra-client.js';
import { createTestSchema, testDatabaseUrl, type TestSchema } from '../support/postgres.js';
import { exited, startMain, type GatewayProcess } from '../support/processes.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { appConfig, downstreamEnv, editedPlugins } from './support.js';

/** Fast native timeouts and retries, a budget the faults test can use up quickly: operator-tunable YAML. */
const FAST_15FIVE: [string, string][] = [
  ['timeoutMs: 10000', 'timeoutMs: 400'],
  ['retry: { attempts: 3, baseDelayMs: 200, maxDelayMs: 5000 }', 'retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 }'],
  ['rateLimit: { requestsPerSecond: 10, concurrency: 4 }', 'rateLimit: { requestsPerSecond: 500, concurrency: 8 }'],
];

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Deployment {
  replicas: (GatewayProcess | undefined)[];
  /** One request to a replica chosen at random among the live ones (a load balancer). */
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  kill(i: number): Promise<void>;
  restart(i: number): Promise<void>;
  close(): Promise<void>;
}

async function deploy(options: { count: number; app: string; configYaml: string; env: Record<string, string> }): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-replicas-'));
  const config = join(dir, 'gateway.yaml');
  writeFileSync(config, options.configYaml);
  const start = (i: number) =>
    startMain({ SCIM_BRIDGE_CONFIG: config, SCIM_BRIDGE_DATA_DIR: join(dir, `replica-${i}`), SCIM_BRIDGE_TOKEN: TEST_TOKEN, SCIM_BRIDGE_LOG_LEVEL: 'warn', ...options.env });
  const replicas: (GatewayProcess | undefined)[] = await Promise.all(Array.from({ length: options.count }, (_, i) => start(i)));
  for (const r of replicas) if (r?.child.exitCode !== null) throw new Error(`a replica did not start:\n${r?.output()}`);
  const live = () => replicas.filter((r): r is GatewayProcess => r !== undefined && r.child.exitCode === null && r.child.signalCode === null);
  return {
    replicas,
    call(path, init = {}) {
      const pool = live();
      const target = pool[Math.floor(Math.random() * pool.length)]!;
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      headers.set('Authorization', `Bearer ${TEST_TOKEN}`);
      if (json !== undefined) {
        headers.set('Content-Type', 'application/scim+json');
        rest.body = JSON.stringify(json);
      }
      return fetch(`${target.origin}/apps/${options.app}/scim/v2${path}`, { ...rest, headers, signal: AbortSignal.timeout(30_000) });
    },
    async kill(i) {
      const r = replicas[i];
      replicas[i] = undefined;
      if (!r) return;
      r.child.kill('SIGKILL');
      await exited(r.child);
    },
    async restart(i) {
      replicas[i] = await start(i);
    },
    async close() {
      for (const r of replicas) r?.child.kill('SIGKILL');
      await Promise.all(replicas.map((r) => r && exited(r.child)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Leases short enough that a claim held by the replica that is killed lapses within the test, long enough
 * that no live write (a native search and create on a loaded machine) outlasts its own.
 */
const storeYaml = (schema: string) => `store: { kind: postgres, schema: ${schema} }\nwrites: { claimLeaseSeconds: 8, claimWaitMs: 3000 }\n`;

describe('three replicas on one PostgreSQL (15five plugin)', () => {
  let schema: TestSchema;
  let emu: Emulator;
  let plugins: string;
  let deployment: Deployment;

  beforeAll(async () => {
    schema = await createTestSchema();
    emu = await startEmulator('15five');
    plugins = editedPlugins('15five', FAST_15FIVE);
    deployment = await deploy({
      count: 3,
      app: '15five',
      configYaml: storeYaml(schema.schema) + appConfig('15five'),
      env: { SCIM_BRIDGE_DATABASE_URL: testDatabaseUrl(), SCIM_BRIDGE_PLUGINS_DIR: plugins, ...downstreamEnv('15five', emu) },
    });
  }, 60_000);
  afterAll(async () => {
    await deployment?.close();
    await emu?.close();
    if (plugins) rmSync(plugins, { recursive: true, force: true });
    await schema?.drop();
  });

  it('50 parallel creates of one userName spread over three replicas: one 201 and one native user, the rest 409 uniqueness', async () => {
    emu.setFaults({ latencyMs: 20 });
    const body = (i: number) => ({
      schemas: [USER_SCHEMA],
      userName: i % 2 === 0 ? 'twin@acme.example' : 'TWIN@acme.example',
      name: { givenName: 'Twin', familyName: `No${i}` },
      emails: [{ value: 'twin@acme.example', type: 'work', primary: true }],
    });
    const answers = await Promise.all(Array.from({ length: 50 }, async (_, i) => read(await deployment.call('/Users', { method: 'POST', json: body(i) }))));
    emu.setFaults({});
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused.map((a) => a.status)).toEqual(refused.map(() => 409));
    expect(refused.every((a) => a.body.scimType === 'uniqueness')).toBe(true);
    expect(emu.users().filter((u) => String(u.email).toLowerCase() === 'twin@acme.example')).toHaveLength(1);
  });

  it('the Entra sequence with 20% native faults, requests spread at random, one replica killed -9 and restarted: every user once, every attribute right', async () => {
    emu.setFaults({ failRate: 0.2, failWith: ['500', '503', '429', 'drop', 'slow'], retryAfterSeconds: 1, slowMs: 1500, processThenFail: true, seed: 11 });
    const USERS = 24;
    const outcomes: number[] = [];
    // Like Entra across cycles: retries what failed, on whichever replica the balancer picks.
    const { provision: provisionAs } = entraClient({
      call: (path, init) => deployment.call(path, init),
      outcomes,
      maxAttempts: 120,
      retryBrokenConnections: true,
      pauseMs: 20,
      conflictPauseMs: 200,
    });
    const provision = (i: number) => provisionAs(i, `r${i}@acme.example`);

    const queue = Array.from({ length: USERS }, (_, i) => i);
    let done = 0;
    const killer = (async () => {
      while (done < USERS / 3) await pause(20);
      await deployment.kill(1);
      await pause(300);
      await deployment.restart(1);
    })();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          await provision(i);
          done += 1;
        }
      }),
    );
    await killer;
    emu.setFaults({});
    expect(outcomes.filter((s) => s >= 400).length).toBeGreaterThan(0);

    const natives = emu.users();
    for (let i = 0; i < USERS; i += 1) {
      const mine = natives.filter((n) => n.email === `r${i}@acme.example`);
      expect(mine, `r${i}`).toHaveLength(1);
      const n = mine[0]!;
      expect([n.first_name, n.last_name, n.title, n.employee_id, n.is_active]).toEqual([`Given${i}`, `Family${i}`, `Title ${i}`, `N${i}`, i % 3 !== 0]);
    }
    const listed = await read(await deployment.call(`/Users?filter=${encodeURIComponent('userName sw "r"')}&count=1000`));
    expect(listed.body.totalResults).toBe(USERS);
  });
});

describe('the database failing under load (directory app, one replica behind a TCP relay to PostgreSQL)', () => {
  let schema: TestSchema;
  let relay: TcpProxy;
  let deployment: Deployment;
  let admin: pg.Client;

  beforeAll(async () => {
    schema = await createTestSchema();
    const url = new URL(testDatabaseUrl());
    relay = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(relay.port);
    const configYaml = `${storeYaml(schema.schema)}apps:\n  directory:\n    connector: store\n    auth:\n      secrets:\n        - env: SCIM_BRIDGE_TOKEN\n`;
    deployment = await deploy({ count: 1, app: 'directory', configYaml, env: { SCIM_BRIDGE_DATABASE_URL: url.toString() } });
    admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
  }, 60_000);
  afterAll(async () => {
    await admin?.end();
    await deployment?.close();
    await relay?.close();
    await schema?.drop();
  });

  it('answers 503 with Retry-After (never a 500, never a hang), loses nothing it acknowledged, and recovers by itself', async () => {
    const origin = deployment.replicas[0]!.origin;
    const acknowledged: string[] = [];
    const statuses: number[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let n = 0; !stop; n += 1) {
        const userName = `load-${w}-${n}@acme.example`;
        const res = await read(await deployment.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName } }));
        statuses.push(res.status);
        if (res.status === 201) acknowledged.push(res.body.id);
        else {
          expect(res.status, JSON.stringify(res.body)).toBe(503);
          expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
          await pause(50);
        }
        const list = await deployment.call('/Users?count=1');
        statuses.push(list.status);
        expect([200, 503]).toContain(list.status);
        await list.arrayBuffer();
      }
    };
    const load = Promise.all([0, 1, 2].map(worker));
    await pause(500);
    // Every connection of the gateway's pool is terminated by the server.
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE client_port = ANY($1::int[])', [relay.upstreamPorts()]);
    await pause(500);
    // Then the server is unreachable for a while.
    await relay.cut();
    await pause(1500);
    const during = await read(await fetch(`${origin}/readyz`));
    expect(during.status).toBe(503);
    await relay.restore();
    // It comes back without a restart.
    let ready = 0;
    for (let i = 0; i < 100 && ready !== 200; i += 1) {
      ready = (await fetch(`${origin}/readyz`)).status;
      if (ready !== 200) await pause(100);
    }
    expect(ready).toBe(200);
    await pause(500);
    stop = true;
    await load;

    expect(statuses).toContain(503);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(0);
    const health = await read(await fetch(`${origin}/healthz`));
    expect(health.body).toStrictEqual({ status: 'ok', store: 'ok' });
    // Every acknowledged create is there, exactly once.
    const listed = await read(await deployment.call(`/Users?filter=${encodeURIComponent('userName sw "load-"')}&count=1000&attributes=id`));
    const ids = new Set((listed.body.Resources as { id: string }[]).map((r) => r.id));
    for (const id of acknowledged) expect(ids.has(id), id).toBe(true);
    expect(listed.body.totalResults).toBeGreaterThanOrEqual(acknowledged.length);
  });
});
