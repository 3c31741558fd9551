/** /healthz (liveness, with the store's state) and /readyz (traffic only while the store answers). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
