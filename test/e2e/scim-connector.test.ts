/**
 * The scim connector against 15Five's SCIM endpoint (emulator) and against downstreams that misbehave:
 * every date form Entra may send reaches 15Five as MM/DD/YYYY and reads back as sent; a tenant's own
 * extension URN is renamed; 5xx/429/timeouts with retries lose and duplicate nothing; locations and
 * $refs are the gateway's; a downstream error is a SCIM error without the downstream's words; garbage,
 * HTML, endless and oversized answers are a bounded 502/504.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulators/index.js';
import { ENTERPRISE, FIFTEEN_FIVE, GROUP_SCHEMA, patchOp, read, startGateway, TEST_TOKEN, USER_SCHEMA, type TestGateway } from '../support/gateway.js';
import { entraClient } from './entra-client.js';
import { editedPlugins, PLUGINS_DIR, startRig, type Rig } from './support.js';

const TENANT = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';

const config = (baseUrlEnv: string, extra = '') => `
apps:
  fifteen:
    connector: scim
    plugin: 15five-scim
    downstream:
      baseUrl: { env: ${baseUrlEnv} }
      credentials: { token: { env: DOWNSTREAM_TOKEN } }
${extra}    auth:
      secrets:
        - env: SCIM_BRIDGE_TOKEN
`;

const FAST: [string, string][] = [
  ['timeoutMs: 10000', 'timeoutMs: 300'],
  ['retry: { attempts: 3, baseDelayMs: 200, maxDelayMs: 5000 }', 'retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 }'],
  ['rateLimit: { requestsPerSecond: 10, concurrency: 4 }', 'rateLimit: { requestsPerSecond: 500, concurrency: 8 }'],
];

const user = (userName: string, more: Record<string, unknown> = {}) => ({
  schemas: [USER_SCHEMA],
  userName,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ value: userName, type: 'work', primary: true }],
  ...more,
});

describe('15five-scim: dates, tenant URNs, rewriting', () => {
  let emu: Emulator;
  let gw: TestGateway;
  beforeAll(async () => {
    emu = await startEmulator('15five-scim');
    gw = await startGateway({
      configYaml: config('DOWNSTREAM_URL', `    normalize:\n      urns: [{ from: '${TENANT}', to: '${FIFTEEN_FIVE}' }]\n`),
      env: { SCIM_BRIDGE_TOKEN: TEST_TOKEN, SCIM_BRIDGE_PLUGINS_DIR: PLUGINS_DIR, DOWNSTREAM_URL: emu.url, DOWNSTREAM_TOKEN: emu.credentials.token! },
      app: 'fifteen',
    });
  });
  afterAll(async () => {
    await gw?.close();
    await emu?.close();
  });
  const native = (userName: string) => emu.users().find((u) => u.userName === userName)!;

  it('every date form Entra may send reaches 15Five as MM/DD/YYYY and reads back exactly as sent', async () => {
    const created = await read(await gw.call('/Users', { method: 'POST', json: user('dates@acme.example', { [FIFTEEN_FIVE]: { startDate: '2026-03-01' } }) }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    for (const [sent, app] of [
      ['2026-03-01', '03/01/2026'],
      ['2026-03-02T00:00:00Z', '03/02/2026'],
      ['20260303000000.0Z', '03/03/2026'],
      ['03/04/2026', '03/04/2026'],
    ]) {
      const res = await read(
        await gw.call(`/Users/${created.body.id}`, {
          method: 'PATCH',
          json: patchOp({ op: 'Replace', path: `${FIFTEEN_FIVE}:hireDate`, value: sent }, { op: 'Replace', path: `${FIFTEEN_FIVE}:terminationDate`, value: sent }),
        }),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(native('dates@acme.example')[FIFTEEN_FIVE]).toEqual({ startDate: '03/01/2026', hireDate: app, terminationDate: app });
      const back = await read(await gw.call(`/Users/${created.body.id}`));
      expect(back.body[FIFTEEN_FIVE]).toEqual({ startDate: '2026-03-01', hireDate: sent, terminationDate: sent });
    }
    // What 15Five would refuse is refused before it is sent, as a SCIM error.
    const before = emu.requests().length;
    const bad = await read(await gw.call(`/Users/${created.body.id}`, { method: 'PATCH', json: patchOp({ op: 'Replace', path: `${FIFTEEN_FIVE}:startDate`, value: 'next Monday' }) }));
    expect([bad.status, bad.body.scimType]).toEqual([400, 'invalidValue']);
    expect(emu.requests().length).toBe(before);
  });

  it("a tenant's own extension URN reaches 15Five as 15Five's and reads back under the tenant's", async () => {
    const res = await read(await gw.call('/Users', { method: 'POST', json: user('tenant@acme.example', { [TENANT]: { startDate: '2026-04-01T00:00:00Z', location: 'Berlin' } }) }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body[TENANT]).toEqual({ startDate: '2026-04-01T00:00:00Z', location: 'Berlin' });
    const n = native('tenant@acme.example');
    expect(n[FIFTEEN_FIVE]).toEqual({ startDate: '04/01/2026', location: 'Berlin' });
    expect(n[TENANT]).toBeUndefined();
    expect(n.schemas).toEqual([USER_SCHEMA, FIFTEEN_FIVE]);
  });

  it("locations and $refs are the gateway's; native ids never reach the client", async () => {
    const boss = await read(await gw.call('/Users', { method: 'POST', json: user('boss@acme.example') }));
    const worker = await read(await gw.call('/Users', { method: 'POST', json: user('worker@acme.example', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { manager: boss.body.id } }) }));
    expect(worker.status, JSON.stringify(worker.body)).toBe(201);
    expect(worker.body.meta.location).toBe(`${gw.base}/Users/${worker.body.id}`);
    expect(worker.headers.get('location')).toBe(`${gw.base}/Users/${worker.body.id}`);
    expect(worker.body[ENTERPRISE].manager).toEqual({ value: boss.body.id });
    const nativeBoss = native('boss@acme.example');
    expect(native('worker@acme.example')[ENTERPRISE]).toEqual({ manager: { value: nativeBoss.id } });
    const group = await read(await gw.call('/Groups', { method: 'POST', json: { schemas: [GROUP_SCHEMA], displayName: 'Team', members: [{ value: worker.body.id }] } }));
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    // A member's $ref, when the gateway gives one, is its own: never the downstream's.
    expect(group.body.members[0].value).toBe(worker.body.id);
    if (group.body.members[0].$ref !== undefined) expect(group.body.members[0].$ref).toBe(`${gw.base}/Users/${worker.body.id}`);
    const text = JSON.stringify([boss.body, worker.body, group.body]);
    expect(text).not.toContain(emu.url);
    expect(text).not.toContain(String(nativeBoss.id));
  });

  it("a downstream SCIM error is the client's SCIM error, without the downstream's detail", async () => {
    // Taken in 15Five already (someone created it there by hand) and not adoptable: 15Five says uniqueness.
    emu.seedUser({ userName: 'taken@acme.example', name: { givenName: 'T' } });
    emu.seedUser({ userName: 'TAKEN@acme.example', name: { givenName: 'U' } }); // two: ambiguous, nothing to adopt
    const res = await read(await gw.call('/Users', { method: 'POST', json: user('taken@acme.example') }));
    expect([res.status, res.body.scimType]).toEqual([409, 'uniqueness']);
    expect(res.body.detail).not.toContain('already taken'); // the emulator's words
    expect(res.headers.get('content-type')).toContain('application/scim+json');
    // The credential never shows in anything the gateway wrote.
    expect(gw.logs.join('\n')).not.toContain(emu.credentials.token);
  });
});

describe('15five-scim with a downstream failing 25% of calls (500, 503, 429, dropped, timed out)', () => {
  let rig: Rig;
  const outcomes: number[] = [];
  beforeAll(async () => {
    rig = await startRig('15five-scim', {
      pluginEdits: FAST,
      faults: { failRate: 0.25, failWith: ['500', '503', '429', 'drop', 'slow'], retryAfterSeconds: 1, slowMs: 1000, processThenFail: true, seed: 11 },
    });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('ends with every user present exactly once downstream, every attribute right', async () => {
    const USERS = 16;
    const queue = Array.from({ length: USERS }, (_, i) => i);
    const client = entraClient({ call: (path, init) => rig.gw.call(path, init), outcomes, maxAttempts: 40 });
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) await client.provision(i, `user${i}@acme.example`);
      }),
    );
    expect(outcomes.filter((s) => s >= 400).length).toBeGreaterThan(0);
    expect(rig.emu.requests().filter((r) => r.status === 0 || r.status >= 429).length).toBeGreaterThan(USERS / 4);
    const natives = rig.emu.users();
    expect(natives).toHaveLength(USERS);
    for (let i = 0; i < USERS; i += 1) {
      const mine = natives.filter((n) => n.userName === `user${i}@acme.example`);
      expect(mine).toHaveLength(1);
      const n = mine[0]!;
      expect([(n.name as Record<string, unknown>).givenName, n.title, (n[ENTERPRISE] as Record<string, unknown>).employeeNumber, n.active]).toEqual([`Given${i}`, `Title ${i}`, `N${i}`, i % 3 !== 0]);
    }
    expect((await read(await rig.gw.call('/Users?count=1000'))).body.totalResults).toBe(USERS);
  });
});

/** A downstream that answers whatever `answer` does, for the misbehaviour a real SCIM server is not built to show. */
async function rawDownstream(answer: (res: import('node:http').ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2` };
}

describe('a downstream that answers garbage', () => {
  const cases: [string, (res: import('node:http').ServerResponse) => void, number[]][] = [
    ['an HTML page with 200', (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in</body></html>'), [502]],
    ['HTML with 500 (a proxy error page)', (res) => res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>'), [502]],
    ['truncated JSON', (res) => res.writeHead(201, { 'content-type': 'application/scim+json' }).end('{"id": "x", "userName'), [502]],
    ['JSON without an id', (res) => res.writeHead(201, { 'content-type': 'application/scim+json' }).end('{"userName": "x"}'), [502]],
    ['a 400 that is not a SCIM error and carries a secret', (res) => res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request; api_key=sk_live_SECRET'), [400]],
    [
      'an endless body',
      (res) => {
        res.writeHead(201, { 'content-type': 'application/scim+json' });
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' '.repeat(1024))), 5);
      },
      [504],
    ],
    [
      'an oversized body',
      (res) => {
        res.writeHead(201, { 'content-type': 'application/scim+json' });
        const chunk = 'x'.repeat(1024 * 1024);
        for (let i = 0; i < 18; i += 1) res.write(chunk);
        res.end();
      },
      // Refused at 16 MiB, or cut by the attempt's time limit first: bounded either way.
      [502, 504],
    ],
  ];

  it.each(cases)('%s: a bounded, clear SCIM error', async (_name, answer, statuses) => {
    const downstream = await rawDownstream(answer);
    const dir = editedPlugins('15five-scim', FAST);
    const gw = await startGateway({
      configYaml: config('DOWNSTREAM_URL'),
      env: { SCIM_BRIDGE_TOKEN: TEST_TOKEN, SCIM_BRIDGE_PLUGINS_DIR: dir, DOWNSTREAM_URL: downstream.url, DOWNSTREAM_TOKEN: 'downstream-token-xyz' },
      app: 'fifteen',
    });
    try {
      const res = await read(await gw.call('/Users', { method: 'POST', json: user('g@acme.example') }));
      expect(statuses, JSON.stringify(res.body)).toContain(res.status);
      expect(res.headers.get('content-type')).toContain('application/scim+json');
      expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
      expect(JSON.stringify(res.body)).not.toMatch(/SECRET|Sign in|<h1>|xxxx/);
      // Nothing was kept: the client may try again.
      expect((await read(await gw.call('/Users'))).body.totalResults).toBe(0);
    } finally {
      await gw.close();
      downstream.server.closeAllConnections();
      await new Promise((resolve) => downstream.server.close(resolve));
    }
  });
});
