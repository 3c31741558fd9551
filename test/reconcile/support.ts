/**
 * A 15Five app wired to its emulator, on SQLite or on PostgreSQL, with the reconcile jobs' router on a
 * loopback listener of its own (as the admin listener serves it), and the native API at hand to make
 * drift the way someone editing in 15Five would.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type Emulator, type Faults } from '../emulators/index.js';
import { appConfig, downstreamEnv, PLUGINS_DIR } from '../e2e/support.js';
import { read, startGateway, TEST_TOKEN, type TestGateway } from '../support/gateway.js';
import { createTestSchema, testDatabaseUrl, type TestSchema } from '../support/postgres.js';
import type { ReconcileStatus } from '../../src/reconcile/types.js';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const APP = '15five';

export type StoreKind = 'sqlite' | 'postgres';

export interface ReconcileRig {
  emu: Emulator;
  gw: TestGateway;
  /** The configuration file and environment the gateway runs on (the CLI takes the same). */
  env: Record<string, string>;
  /** The admin router's origin. */
  admin: string;
  /** A user created the way Entra creates one; its SCIM id and native id. */
  provision(n: string, more?: Record<string, unknown>): Promise<{ id: string; nativeId: string }>;
  /** A native write, as someone editing in 15Five makes it. */
  editNative(nativeId: string, fields: Record<string, unknown>): Promise<void>;
  /** Runs a reconcile through the jobs and waits for its end. */
  reconcile(mode: 'dry-run' | 'adopt' | 'repair'): Promise<ReconcileStatus>;
  close(): Promise<void>;
}

export const scimUser = (name: string, more: Record<string, unknown> = {}) => ({
  schemas: [USER],
  userName: `${name}@acme.example`,
  name: { givenName: name[0]!.toUpperCase() + name.slice(1), familyName: 'Tester' },
  emails: [{ type: 'work', value: `${name}@acme.example`, primary: true }],
  title: 'Engineer',
  ...more,
});

export async function startReconcileRig(kind: StoreKind, options: { faults?: Faults } = {}): Promise<ReconcileRig> {
  const emu = await startEmulator('15five', options.faults ? { faults: options.faults } : {});
  let schema: TestSchema | undefined;
  let storeYaml = '';
  const env: Record<string, string> = { SCIM_BRIDGE_TOKEN: TEST_TOKEN, SCIM_BRIDGE_PLUGINS_DIR: PLUGINS_DIR, ...downstreamEnv('15five', emu) };
  if (kind === 'postgres') {
    schema = await createTestSchema();
    storeYaml = `store: { kind: postgres, schema: ${schema.schema} }\n`;
    env.SCIM_BRIDGE_DATABASE_URL = testDatabaseUrl();
  }
  const gw = await startGateway({ configYaml: storeYaml + appConfig('15five'), env, app: APP, logLevel: 'info' });
  env.SCIM_BRIDGE_CONFIG = `${gw.dataDir}/gateway.yaml`;
  env.SCIM_BRIDGE_DATA_DIR = gw.dataDir;

  const adminApp = express();
  adminApp.use(gw.gateway.reconcile.router());
  const server: Server = await new Promise((done) => {
    const s = adminApp.listen(0, '127.0.0.1', () => done(s));
  });
  const admin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    emu,
    gw,
    env,
    admin,
    async provision(n, more = {}) {
      const res = await read(await gw.call('/Users', { method: 'POST', json: scimUser(n, more) }));
      if (res.status !== 201) throw new Error(`create ${n}: ${res.status} ${JSON.stringify(res.body)}`);
      const record = await gw.gateway.store.get(APP, 'User', res.body.id);
      return { id: res.body.id, nativeId: record!.nativeId! };
    },
    async editNative(nativeId, fields) {
      const res = await fetch(`${emu.url}/user/${nativeId}/`, {
        method: 'PUT',
        headers: { Authorization: emu.credentials.apiKey!, 'Content-Type': 'application/json' },
        body: JSON.stringify(fields),
      });
      if (!res.ok) throw new Error(`native edit: ${res.status} ${await res.text()}`);
    },
    async reconcile(mode) {
      gw.gateway.reconcile.start(APP, mode);
      for (;;) {
        const status = gw.gateway.reconcile.status(APP)!;
        if (status.state !== 'running') return status;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await new Promise((done) => server.close(done));
      await gw.close();
      await emu.close();
      await schema?.drop();
    },
  };
}
