/**
 * One native search per new user (issue 13): Entra looks a user up by userName, finds nothing, and creates
 * it. The lookup's search runs under the userName's claim; its empty answer is parked with the claim, and
 * the create that takes the claim over uses it instead of searching again. Counted by the 15Five
 * emulator, on one gateway (SQLite) and across two replicas on one PostgreSQL schema — and never across
 * a claim that was released or lapsed in between, on the same replica or another.
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulators/index.js';
import { read, startGateway, TEST_TOKEN, USER_SCHEMA, type TestGateway } from '../support/gateway.js';
import { createTestSchema, type TestSchema } from '../support/postgres.js';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/types.js';
import { appConfig, downstreamEnv, PLUGINS_DIR } from './support.js';

const APP = '15five';
const LEASE = 60_000;

const body = (userName: string) => ({
  schemas: [USER_SCHEMA],
  userName,
  name: { givenName: 'New', familyName: 'Person' },
  emails: [{ type: 'work', value: userName, primary: true }],
});

async function gatewayOn(emu: Emulator, store: Store): Promise<TestGateway> {
  const env = { SCIM_BRIDGE_TOKEN: TEST_TOKEN, SCIM_BRIDGE_PLUGINS_DIR: PLUGINS_DIR, ...downstreamEnv('15five', emu) };
  return startGateway({ configYaml: appConfig('15five'), env, app: APP, store });
}

/**
 * The native calls the emulator answers from now on: searches (15Five's user search is GET
 * /user/?email=...) and creates. The emulator is not reset between tests: its ids must stay unique, as
 * the store links them.
 */
function counting(emu: Emulator) {
  const from = emu.requests().length;
  const since = () => emu.requests().slice(from);
  return {
    searches: () => since().filter((r) => r.method === 'GET' && r.path === '/api/public/user/').length,
    creates: () => since().filter((r) => r.method === 'POST').length,
  };
}

/** Entra's way: GET by userName filter; when empty, POST. */
async function provision(lookupOn: TestGateway, createOn: TestGateway, userName: string, between?: () => Promise<void>): Promise<string> {
  const found = await read(await lookupOn.call(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`));
  expect(found.status).toBe(200);
  expect(found.body.totalResults).toBe(0);
  await between?.();
  const made = await read(await createOn.call('/Users', { method: 'POST', json: body(userName) }));
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return made.body.id as string;
}

/** Another writer took the name's claim and gave it up (a create of the same name whose native work failed). */
const takeAndRelease = async (store: Store, userName: string) =>
  store.release(await store.reserve(APP, 'User', { purpose: 'create', data: { userName }, leaseMs: LEASE }));

describe('one native search per new user, on one gateway (SQLite)', () => {
  let emu: Emulator;
  let store: SqliteStore;
  let gw: TestGateway;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator('15five');
    dir = mkdtempSync(join(tmpdir(), 'scim-bridge-one-search-'));
    store = new SqliteStore({ path: join(dir, 'store.db') });
    await store.migrate();
    gw = await gatewayOn(emu, store);
  });
  afterAll(async () => {
    await gw.close();
    await store.close();
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GET that misses, then POST: one search and one create per user', async () => {
    const count = counting(emu);
    for (let i = 0; i < 4; i += 1) await provision(gw, gw, `one${i}@example.com`);
    expect(count.searches()).toBe(4);
    expect(count.creates()).toBe(4);
    expect(emu.users().filter((u) => String(u.email).startsWith('one'))).toHaveLength(4);
  });

  it('searches again when the claim was released in between', async () => {
    const count = counting(emu);
    await provision(gw, gw, 'released@example.com', () => takeAndRelease(store, 'released@example.com'));
    expect(count.searches()).toBe(2);
    expect(count.creates()).toBe(1);
  });

  it('a POST with another spelling of the value than the lookup searched for searches again', async () => {
    const count = counting(emu);
    const found = await read(await gw.call(`/Users?filter=${encodeURIComponent('userName eq "Case@Example.com"')}`));
    expect(found.body.totalResults).toBe(0);
    expect((await gw.call('/Users', { method: 'POST', json: body('case@example.com') })).status).toBe(201);
    expect(count.searches()).toBe(2);
  });

  it('a user created natively after the lookup is adopted when the claim did not hold: no duplicate', async () => {
    const count = counting(emu);
    await provision(gw, gw, 'late@example.com', async () => {
      await takeAndRelease(store, 'late@example.com');
      emu.seedUser({ email: 'late@example.com', first_name: 'Late', last_name: 'Comer' });
    });
    expect(count.creates()).toBe(0);
    expect(emu.users().filter((u) => u.email === 'late@example.com')).toHaveLength(1);
  });
});

describe('one native search per new user, across replicas on one PostgreSQL database', () => {
  let emu: Emulator;
  let schema: TestSchema;
  const stores: PostgresStore[] = [];
  const replicas: TestGateway[] = [];
  beforeAll(async () => {
    emu = await startEmulator('15five');
    schema = await createTestSchema();
    for (let i = 0; i < 2; i += 1) {
      const store = new PostgresStore({ url: schema.url, schema: schema.schema, poolSize: 2 });
      await store.migrate();
      stores.push(store);
      replicas.push(await gatewayOn(emu, store));
    }
  });
  afterAll(async () => {
    for (const gw of replicas) await gw.close();
    for (const store of stores) await store.close();
    await schema.drop();
    await emu.close();
  });

  it('the lookup on one replica serves the create on the other through the store\'s claim', async () => {
    const count = counting(emu);
    for (let i = 0; i < 4; i += 1) await provision(replicas[i % 2]!, replicas[(i + 1) % 2]!, `pg${i}@example.com`);
    expect(count.searches()).toBe(4);
    expect(count.creates()).toBe(4);
  });

  it('never across replicas once the claim was released in between', async () => {
    const count = counting(emu);
    await provision(replicas[0]!, replicas[1]!, 'pg-released@example.com', () => takeAndRelease(stores[0]!, 'pg-released@example.com'));
    expect(count.searches()).toBe(2);
    expect(count.creates()).toBe(1);
  });
});
