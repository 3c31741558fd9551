/**
 * Three gateways configured with `store: postgres` share their budgets through that database, wired by
 * app.ts: the failed-login throttle, the per-app inbound rate and the 15five app's native rate (the 15Five
 * emulator counts the requests; the database logs when it granted each start). Each gateway keeps its
 * resources in a SQLite file of its own: the PostgreSQL store is not what this tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { rawRequest } from '../auth/client.js';
import { PLUGINS_DIR } from '../e2e/support.js';
import { startEmulator, type Emulator } from '../emulators/index.js';
import { read, startGateway, TEST_TOKEN, USER_SCHEMA, type TestGateway } from '../support/gateway.js';
import { DATABASE_URL, dropSchema, logNativeStarts, nativeStarts, randomSchema } from './postgres-support.js';
import { busiestWindow } from './support.js';

const schema = randomSchema();
const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-replicas-'));
let emu: Emulator;
const stores: Store[] = [];
const replicas: TestGateway[] = [];

const config = [
  `store: { kind: postgres, url: { env: BUDGETS_TEST_DATABASE_URL }, schema: ${schema} }`,
  'security:',
  '  failedAuth: { maxFailures: 3, windowSeconds: 3600 }',
  '  appRateLimit: { requestsPerSecond: 1000, burst: 1000, apps: { slow: { requestsPerSecond: 0.001, burst: 3 } } }',
  'apps:',
  '  slow: { connector: store, auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN }] } }',
  '  15five:',
  '    connector: rest',
  '    plugin: 15five',
  '    downstream: { baseUrl: { env: FIFTEEN_FIVE_BASE_URL }, credentials: { apiKey: { env: FIFTEEN_FIVE_API_KEY } } }',
  '    auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN }] }',
  '',
].join('\n');

beforeAll(async () => {
  emu = await startEmulator('15five');
  const env = {
    SCIM_BRIDGE_TOKEN: TEST_TOKEN,
    SCIM_BRIDGE_PLUGINS_DIR: PLUGINS_DIR,
    BUDGETS_TEST_DATABASE_URL: DATABASE_URL,
    FIFTEEN_FIVE_BASE_URL: emu.url,
    FIFTEEN_FIVE_API_KEY: emu.credentials.apiKey!,
  };
  for (let i = 0; i < 3; i += 1) {
    const store = await openStore({ kind: 'sqlite', path: join(dir, `replica-${i}.db`) });
    stores.push(store);
    replicas.push(await startGateway({ configYaml: config, env, app: '15five', store, logLevel: 'info' }));
  }
  await logNativeStarts(schema);
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
  await Promise.all(stores.map((s) => s.close()));
  await emu?.close();
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const users = (replica: TestGateway, app: string) => `${replica.origin}/apps/${app}/scim/v2/Users`;

describe('replicas on one PostgreSQL share their budgets', () => {
  it('failures at two replicas use up an address at the third; a valid secret still passes there', async () => {
    const [a, b, c] = replicas as [TestGateway, TestGateway, TestGateway];
    for (const replica of [a, b, a]) {
      expect((await rawRequest(users(replica, 'slow'), { headers: bearer('a-wrong-secret-0123456789abcdef'), localAddress: '127.0.0.12' })).status).toBe(401);
    }
    expect((await rawRequest(users(c, 'slow'), { headers: bearer('a-wrong-secret-0123456789abcdef'), localAddress: '127.0.0.12' })).status).toBe(429);
    expect((await rawRequest(users(c, '15five'), { headers: bearer(TEST_TOKEN), localAddress: '127.0.0.12' })).status).toBe(200);
  });

  it("an app's inbound rate is one budget for all three", async () => {
    const statuses = [];
    for (const replica of [...replicas, ...replicas]) statuses.push((await rawRequest(users(replica, 'slow'), { headers: bearer(TEST_TOKEN) })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
  });

  it("the 15five app's native rate (10/s) holds across the three; every native request took a shared start", async () => {
    const creates = replicas.flatMap((replica, r) =>
      Array.from({ length: 5 }, (_, i) =>
        replica.call('/Users', {
          method: 'POST',
          json: { schemas: [USER_SCHEMA], userName: `r${r}-u${i}@example.com`, name: { givenName: 'R', familyName: `U${i}` }, emails: [{ value: `r${r}-u${i}@example.com`, type: 'work', primary: true }], active: true },
        }),
      ),
    );
    const answers = await Promise.all(creates.map(async (p) => (await read(await p)).status));
    expect(answers.every((s) => s === 201)).toBe(true);
    const starts = await nativeStarts(schema, '15five');
    expect(starts.length).toBeGreaterThanOrEqual(15);
    expect(emu.requests()).toHaveLength(starts.length);
    expect(busiestWindow(starts, 1000)).toBeLessThanOrEqual(10);
    expect(emu.users()).toHaveLength(15);
  });
});
