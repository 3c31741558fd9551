/**
 * Abuse limits over real HTTP: failed authentications throttled per client address (127.0.0.2 is another
 * client than 127.0.0.1 on Linux loopback), the per-app rate limit, body, header and time limits.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/auth/secret-hash.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { rawRequest } from './client.js';

const SECRET = 'limits-test-secret-0123456789abcdef';
/** The `hashed` app's secret, configured only as a scrypt hash. */
const HASHED = 'limits-test-hashed-secret-0123456789';
/** What a client not yet told about a rotation keeps sending. */
const REMOVED = 'the-removed-secret-0123456789abcdef';
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({
    app: 'fast',
    env: { SCIM_BRIDGE_TOKEN: SECRET },
    configYaml: [
      'server: { bodyLimitBytes: 2048 }',
      'security:',
      '  failedAuth: { maxFailures: 3, windowSeconds: 3600 }',
      // `slow` refills one request every ~17 minutes: nothing refills while the test runs.
      '  appRateLimit: { requestsPerSecond: 1000, burst: 1000, apps: { slow: { requestsPerSecond: 0.001, burst: 3 } } }',
      '  http: { maxHeaderBytes: 16384, headersTimeoutSeconds: 1, requestTimeoutSeconds: 2 }',
      'apps:',
      '  fast: { connector: store, auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN }] } }',
      '  slow: { connector: store, auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN }] } }',
      `  hashed: { connector: store, auth: { secrets: [{ hash: "${await hashSecret(HASHED, { N: 1024, r: 8, p: 1 })}" }] } }`,
      '',
    ].join('\n'),
  });
});
afterAll(async () => {
  await gw.close();
});

const url = (app: string) => `${gw.origin}/apps/${app}/scim/v2/Users`;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('failed authentication is throttled per client address', () => {
  it('after 3 failures from 127.0.0.2 its next failure gets 429 + Retry-After; 127.0.0.1 is unaffected', async () => {
    for (let i = 0; i < 3; i += 1) {
      const res = await rawRequest(url('fast'), { headers: bearer(`wrong-secret-attempt-${i}-xxxxxxxx`), localAddress: '127.0.0.2' });
      expect(res.status).toBe(401);
    }
    const blocked = await rawRequest(url('fast'), { headers: bearer('wrong-secret-attempt-3-xxxxxxxx'), localAddress: '127.0.0.2' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(3600);
    expect(blocked.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(blocked.json()).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429', detail: 'Too many requests' });

    // "Entra", from another address, keeps working.
    const entra = await rawRequest(url('fast'), { headers: bearer(SECRET), localAddress: '127.0.0.1' });
    expect(entra.status).toBe(200);
    const logged = gw.logs.map((l) => JSON.parse(l)).filter((l) => l.msg?.startsWith('authentication throttled'));
    expect(logged.at(-1)).toMatchObject({ ip: expect.stringContaining('127.0.0.2') });
  });

  it('an unknown app counts as a failure too (probing app names is throttled)', async () => {
    for (let i = 0; i < 3; i += 1) {
      expect((await rawRequest(`${gw.origin}/apps/guess-${i}/scim/v2/Users`, { headers: bearer(SECRET), localAddress: '127.0.0.3' })).status).toBe(401);
    }
    expect((await rawRequest(`${gw.origin}/apps/guess-3/scim/v2/Users`, { headers: bearer(SECRET), localAddress: '127.0.0.3' })).status).toBe(429);
    expect((await rawRequest(`${gw.origin}/apps/guess-4/scim/v2/Users`, { localAddress: '127.0.0.3' })).status).toBe(429);
  });
});

describe('a valid credential is never refused by the failed-login throttle (lockout after a rotation)', () => {
  // Every client behind a proxy without trustProxy shares one address: here, 127.0.0.8 and 127.0.0.9.
  it('a stale client sending the removed secret cannot lock out the new one from the same address', async () => {
    const answers = [];
    for (let i = 0; i < 6; i += 1) answers.push((await rawRequest(url('fast'), { headers: bearer(REMOVED), localAddress: '127.0.0.8' })).status);
    expect(answers).toEqual([401, 401, 401, 429, 429, 429]);
    expect((await rawRequest(url('fast'), { headers: bearer(SECRET), localAddress: '127.0.0.8' })).status).toBe(200);
    const stale = await rawRequest(url('fast'), { headers: bearer(REMOVED), localAddress: '127.0.0.8' });
    expect(stale.status).toBe(429);
    expect(Number(stale.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('the same for a secret stored as a scrypt hash that this gateway has not verified yet', async () => {
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push((await rawRequest(url('hashed'), { headers: bearer(REMOVED), localAddress: '127.0.0.9' })).status);
    expect(answers).toEqual([401, 401, 401, 429, 429]);
    expect((await rawRequest(url('hashed'), { headers: bearer(HASHED), localAddress: '127.0.0.9' })).status).toBe(200);
    expect((await rawRequest(url('hashed'), { headers: bearer(HASHED), localAddress: '127.0.0.9' })).status).toBe(200);
    expect((await rawRequest(url('hashed'), { headers: bearer(REMOVED), localAddress: '127.0.0.9' })).status).toBe(429);
  });
});

describe('per-app inbound rate limit', () => {
  it('unauthenticated requests do not spend the budget; past it 429 + Retry-After; another app is unaffected', async () => {
    for (let i = 0; i < 2; i += 1) {
      expect((await rawRequest(url('slow'), { localAddress: '127.0.0.4' })).status).toBe(401);
    }
    for (let i = 0; i < 3; i += 1) {
      expect((await rawRequest(url('slow'), { headers: bearer(SECRET), localAddress: '127.0.0.5' })).status).toBe(200);
    }
    const limited = await rawRequest(url('slow'), { headers: bearer(SECRET), localAddress: '127.0.0.5' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.json()).toMatchObject({ status: '429' });
    expect((await rawRequest(url('fast'), { headers: bearer(SECRET), localAddress: '127.0.0.5' })).status).toBe(200);
  });
});

describe('request size and time limits', () => {
  it('a body over server.bodyLimitBytes → 413 SCIM error', async () => {
    const res = await rawRequest(url('fast'), {
      method: 'POST',
      headers: { ...bearer(SECRET), 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'x'.repeat(4096) }),
      localAddress: '127.0.0.6',
    });
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ status: '413' });
  });

  it('headers over security.http.maxHeaderBytes → 431 before any of our code runs', async () => {
    const res = await rawRequest(url('fast'), { headers: { ...bearer(SECRET), 'X-Padding': 'p'.repeat(20_000) }, localAddress: '127.0.0.6' });
    expect(res.status).toBe(431);
  });

  it('a huge Authorization header is 431 (over the header limit) or 401 (under it), never 500', async () => {
    const huge = await rawRequest(url('fast'), { headers: bearer('a'.repeat(64 * 1024)), localAddress: '127.0.0.7' });
    expect(huge.status).toBe(431);
    const large = await rawRequest(url('fast'), { headers: bearer('a'.repeat(12 * 1024)), localAddress: '127.0.0.7' });
    expect(large.status).toBe(401);
  });

  it('a client that never finishes its headers is answered 408 and disconnected (slow loris)', async () => {
    const { port } = new URL(gw.origin);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`GET /apps/fast/scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SECRET}\r\n`);
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});
