/** /healthz (liveness, with the store's state) and /readyz (traffic only while the store answers). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { read, startGateway, type TestGateway } from '../support/gateway.js';

describe('health and readiness', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('answer without a credential while the store answers', async () => {
    const live = await read(await fetch(`${gw.origin}/healthz`));
    expect(live.status).toBe(200);
    expect(live.body).toStrictEqual({ status: 'ok', store: 'ok' });
    const ready = await read(await fetch(`${gw.origin}/readyz`));
    expect(ready.status).toBe(200);
    expect(ready.body).toStrictEqual({ status: 'ready' });
  });

  it('readiness is 503 with a reason when the store does not answer; liveness stays 200 and says so', async () => {
    await gw.gateway.store.close();
    const ready = await read(await fetch(`${gw.origin}/readyz`));
    expect(ready.status).toBe(503);
    expect(ready.body).toStrictEqual({ status: 'unavailable', reason: 'the store does not answer' });
    const live = await read(await fetch(`${gw.origin}/healthz`));
    expect(live.status).toBe(200);
    expect(live.body).toStrictEqual({ status: 'ok', store: 'unavailable' });
  });
});

describe('readiness and inbound credentials', () => {
  it('is 503 naming the app when a reload left an app without credentials', async () => {
    const gw = await startGateway();
    try {
      expect((await fetch(`${gw.origin}/readyz`)).status).toBe(200);
      // A reload whose configuration no longer has the app: its credentials are gone (it needs a restart).
      const file = join(gw.dataDir, 'other.yaml');
      writeFileSync(file, 'apps:\n  other:\n    connector: store\n    auth:\n      secrets:\n        - env: SCIM_BRIDGE_TOKEN\n');
      gw.gateway.reloadAuth(loadConfig(file, { dataDir: gw.dataDir, env: { SCIM_BRIDGE_TOKEN: 'another-secret-0123456789' } }));
      const ready = await read(await fetch(`${gw.origin}/readyz`));
      expect([ready.status, ready.body]).toStrictEqual([503, { status: 'unavailable', reason: 'an app has no inbound credentials loaded', apps: ['directory'] }]);
    } finally {
      await gw.close();
    }
  });
});
