/**
 * When Entra's discovery or JWKS endpoint is down, slow or failing, a JWT gets 503 + Retry-After (a
 * SCIM error; the log says which endpoint failed) within the configured timeout — never a hang, never
 * a 500 — while secrets keep working and keys already fetched keep verifying.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRA_NON_GALLERY_AUDIENCE } from '../../src/auth/config-schema.js';
import { TenantKeys } from '../../src/auth/entra-keys.js';
import { EntraVerifier } from '../../src/auth/entra-token.js';
import { read, startGateway, type TestGateway } from '../support/gateway.js';
import { startOidcProvider, type OidcProvider } from '../support/oidc-provider.js';

const TENANT = '33333333-3333-4333-8333-333333333333';
const BACKOFF_TENANT = '44444444-4444-4444-8444-444444444444';
const QUIET_TENANT = '55555555-5555-4555-8555-555555555555';
const SECRET = 'outage-test-secret-0123456789abcdef';

let idp: OidcProvider;
let gw: TestGateway;

beforeAll(async () => {
  idp = await startOidcProvider();
  const entra = (tenant: string, cooldown: number) =>
    `{ tenants: [${tenant}], authority: "${idp.authority}", v1IssuerBase: "${idp.v1IssuerBase}", keys: { timeoutSeconds: 1, cooldownSeconds: ${cooldown} } }`;
  gw = await startGateway({
    app: 'fragile',
    env: { SCIM_BRIDGE_TOKEN: SECRET },
    configYaml: [
      'security:',
      '  failedAuth: { maxFailures: 4, windowSeconds: 3600 }',
      'apps:',
      `  fragile: { connector: store, auth: { entra: ${entra(TENANT, 0)} } }`,
      `  fragile-both: { connector: store, auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN }], entra: ${entra(TENANT, 0)} } }`,
      `  backoff: { connector: store, auth: { entra: ${entra(BACKOFF_TENANT, 30)} } }`,
      `  quiet: { connector: store, auth: { entra: ${entra(QUIET_TENANT, 0)} } }`,
      '',
    ].join('\n'),
  });
});
afterAll(async () => {
  await gw?.close();
  await idp?.close();
});

const call = async (app: string, token: string) => read(await gw.call(`${gw.origin}/apps/${app}/scim/v2/Users`, { token }));

describe('signing keys unavailable', () => {
  it.each([
    { mode: 'down' as const, attempts: 3 },
    // Each attempt waits for the 1 s timeout: one is enough to show it ends.
    { mode: 'slow' as const, attempts: 1 },
    { mode: 'error' as const, attempts: 3 },
  ])('provider $mode before any key was fetched → 503 + Retry-After, logged, not counted as a failed login', async ({ mode, attempts }) => {
    idp.setMode(mode);
    const token = await idp.mint({ tenant: TENANT });
    // 7 such attempts in all, more than failedAuth.maxFailures (4): a 503 is our failure, not the caller's.
    for (let i = 0; i < attempts; i += 1) {
      const res = await call('fragile', token);
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(res.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503', detail: 'Service temporarily unavailable' });
    }
    const line = gw.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'authentication unavailable').at(-1);
    expect(line.reason).toMatch(/OpenID discovery at http:\/\/127\.0\.0\.1:\d+\/3{8}-.*\/v2\.0 failed/);
    idp.setMode('up');
    // A wrong credential from the same address is still a 401, not 429: the 503s were not counted.
    expect((await call('fragile', 'wrong-secret-0123456789abcdef')).status).toBe(401);
  });

  it('an app that also takes secrets keeps working on its secret during the outage', async () => {
    idp.setMode('down');
    expect((await call('fragile-both', SECRET)).status).toBe(200);
    expect((await call('fragile-both', await idp.mint({ tenant: TENANT }))).status).toBe(503);
    idp.setMode('up');
  });

  it('once the provider is back, tokens verify; keys already fetched keep verifying when it goes down again', async () => {
    const token = await idp.mint({ tenant: TENANT });
    expect((await call('fragile', token)).status).toBe(200);
    idp.setMode('down');
    expect((await call('fragile', await idp.mint({ tenant: TENANT }))).status).toBe(200);
    idp.setMode('up');
  });

  it('after a failure the endpoints are left alone for the cooldown: 503 at once, no request sent', async () => {
    idp.setMode('down');
    const token = await idp.mint({ tenant: BACKOFF_TENANT });
    expect((await call('backoff', token)).status).toBe(503);
    idp.setMode('up');
    const before = idp.hits.discovery;
    const again = await call('backoff', token);
    expect(again.status).toBe(503);
    expect(Number(again.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    expect(idp.hits.discovery).toBe(before);
  });
});

describe('an outage is logged once, as a warning', () => {
  it('many requests during one outage: one warning line, no error line, no stack trace', async () => {
    idp.setMode('down');
    const from = gw.logs.length;
    try {
      for (let i = 0; i < 4; i += 1) expect((await call('quiet', await idp.mint({ tenant: QUIET_TENANT }))).status).toBe(503);
    } finally {
      idp.setMode('up');
    }
    const lines = gw.logs.slice(from).map((l) => JSON.parse(l) as { level: number; msg: string; reason?: string });
    const loud = lines.filter((l) => l.level >= 40);
    expect(loud).toHaveLength(1);
    expect(loud[0]).toMatchObject({ level: 40, msg: 'authentication unavailable', reason: expect.stringContaining('OpenID discovery') });
    expect(gw.logs.slice(from).join('\n')).not.toContain('"stack"');
    // Each request still has its access line.
    expect(lines.filter((l) => l.msg === 'request')).toHaveLength(4);
    // Back up: the app works; a later outage would be announced again.
    expect((await call('quiet', await idp.mint({ tenant: QUIET_TENANT }))).status).toBe(200);
  });
});

describe('TenantKeys: stale keys are used while the JWKS endpoint fails', () => {
  it('verifies with the last keys it fetched when every refresh fails', async () => {
    const keys = new TenantKeys(idp.authority, TENANT, { cacheMaxAgeMs: 0, cooldownMs: 0, timeoutMs: 1000 });
    const verifier = new EntraVerifier(
      {
        tenants: [TENANT],
        audiences: [ENTRA_NON_GALLERY_AUDIENCE],
        authority: idp.authority,
        v1IssuerBase: idp.v1IssuerBase,
        clockSkewSeconds: 60,
        tokenCacheSeconds: 0,
        keys: { cacheMaxAgeSeconds: 10, cooldownSeconds: 0, timeoutSeconds: 1 },
      },
      { keysFor: () => keys },
    );
    const token = await idp.mint({ tenant: TENANT });
    expect(await verifier.verify(token)).toMatchObject({ ok: true });
    idp.setMode('down');
    try {
      expect(await verifier.verify(await idp.mint({ tenant: TENANT }))).toMatchObject({ ok: true, method: 'entra' });
      expect(await verifier.verify(await idp.mint({ tenant: TENANT, kid: 'unknown' }))).toMatchObject({ ok: false });
    } finally {
      idp.setMode('up');
    }
  });
});
