/**
 * Authentication end to end over real HTTP: bearer secrets per app, Entra-issued JWTs from a local OpenID
 * provider, the attack set (each must be a 401 with a challenge and a SCIM body — never a 500), and what
 * never reaches a log, a response or the audit trail.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NON_GALLERY_AUDIENCE, startOidcProvider, type OidcProvider } from '../support/oidc-provider.js';
import { patchOp, read, startGateway, TEST_TOKEN, USER_SCHEMA, type TestGateway } from '../support/gateway.js';

const UNAUTHORIZED_BODY = { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401', detail: 'Authentication required' };

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw.close();
});

describe('bearer secrets (default configuration)', () => {
  const attempts: { name: string; headers: Record<string, string>; challenge: string }[] = [
    { name: 'no header', headers: {}, challenge: 'Bearer realm="scim-bridge"' },
    { name: 'empty bearer', headers: { Authorization: 'Bearer ' }, challenge: 'Bearer realm="scim-bridge"' },
    { name: 'wrong secret', headers: { Authorization: 'Bearer wrong-secret-wrong-secret' }, challenge: 'Bearer realm="scim-bridge", error="invalid_token"' },
    { name: 'one character changed', headers: { Authorization: `Bearer ${TEST_TOKEN.slice(0, -1)}X` }, challenge: 'Bearer realm="scim-bridge", error="invalid_token"' },
    { name: 'one character added', headers: { Authorization: `Bearer ${TEST_TOKEN}x` }, challenge: 'Bearer realm="scim-bridge", error="invalid_token"' },
    { name: 'one character removed', headers: { Authorization: `Bearer ${TEST_TOKEN.slice(0, -1)}` }, challenge: 'Bearer realm="scim-bridge", error="invalid_token"' },
    { name: 'Basic scheme', headers: { Authorization: `Basic ${Buffer.from(`x:${TEST_TOKEN}`).toString('base64')}` }, challenge: 'Bearer realm="scim-bridge"' },
    { name: 'token without scheme', headers: { Authorization: TEST_TOKEN }, challenge: 'Bearer realm="scim-bridge"' },
    { name: 'bearer with a space inside the token', headers: { Authorization: `Bearer ${TEST_TOKEN} x` }, challenge: 'Bearer realm="scim-bridge", error="invalid_token"' },
    { name: 'a 9 KB bearer', headers: { Authorization: `Bearer ${'a'.repeat(9000)}` }, challenge: 'Bearer realm="scim-bridge", error="invalid_token"' },
  ];
  it.each(attempts)('$name → 401 with WWW-Authenticate and a SCIM body', async ({ headers, challenge }) => {
    const res = await read(await gw.call('/Users', { token: null, headers }));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(challenge);
    expect(res.type).toMatch(/^application\/scim\+json/);
    expect(res.body).toEqual(UNAUTHORIZED_BODY);
  });

  it('an unknown app answers exactly like a wrong token', async () => {
    const unknownApp = await read(await gw.call(`${gw.origin}/apps/payroll/scim/v2/Users`));
    const wrongToken = await read(await gw.call('/Users', { token: 'wrong-secret-wrong-secret' }));
    expect(unknownApp.status).toBe(401);
    expect(unknownApp.body).toEqual(wrongToken.body);
    expect(unknownApp.headers.get('www-authenticate')).toBe(wrongToken.headers.get('www-authenticate'));
  });

  it('the token in the query string does not authenticate', async () => {
    const res = await gw.call(`/Users?access_token=${TEST_TOKEN}`, { token: null });
    expect(res.status).toBe(401);
  });

  it('the scheme name is case-insensitive (RFC 7235)', async () => {
    const res = await gw.call('/Users', { token: null, headers: { Authorization: `bearer ${TEST_TOKEN}` } });
    expect(res.status).toBe(200);
  });
});

describe('logging', () => {
  it('one line per request with id, app, method, path, status, duration; no secret anywhere in the logs', async () => {
    const res = await gw.call('/Users?filter=userName+eq+%22log-me%22', { headers: { 'X-Request-Id': 'req-abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('req-abc-123');
    await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: 'logged@example.com' } });
    await gw.call('/Users/x', { method: 'PATCH', json: patchOp({ op: 'replace', path: 'title', value: TEST_TOKEN }) });
    await gw.call('/Users', { token: `${TEST_TOKEN}-wrong` });
    await new Promise((r) => setTimeout(r, 20));
    const line = gw.logs.map((l) => JSON.parse(l)).find((l) => l.reqId === 'req-abc-123' && l.msg === 'request');
    expect(line).toMatchObject({ app: 'directory', method: 'GET', path: '/apps/directory/scim/v2/Users', status: 200 });
    expect(typeof line.durationMs).toBe('number');
    expect(gw.logs.join('\n')).not.toContain(TEST_TOKEN);
    expect(gw.logs.join('\n')).not.toContain('log-me');
  });

  it('a failed authentication is logged with its reason, the address and no token', async () => {
    await gw.call('/Users', { token: 'another-wrong-secret-123456', headers: { 'X-Request-Id': 'req-bad-auth' } });
    const line = gw.logs.map((l) => JSON.parse(l)).find((l) => l.reqId === 'req-bad-auth' && l.msg === 'authentication failed');
    expect(line).toMatchObject({ app: 'directory', reason: 'bearer secret does not match', ip: expect.stringContaining('127.0.0.1') });
    expect(gw.logs.join('\n')).not.toContain('another-wrong-secret-123456');
  });

  it('the audit trail never holds the token either', async () => {
    const audit = await gw.gateway.store.readAudit('directory', 1000);
    expect(JSON.stringify(audit)).not.toContain(TEST_TOKEN);
  });
});

// ---------------------------------------------------------------------------------------------------
// Entra-issued JWTs

const TENANT = '11111111-1111-4111-8111-111111111111';
const OTHER_TENANT = '22222222-2222-4222-8222-222222222222';
const BOTH_SECRET = 'both-app-secret-0123456789abcdef';
const OTHER_SECRET = 'other-app-secret-0123456789abcdef';

describe('Entra-issued JWTs', () => {
  let idp: OidcProvider;
  let jw: TestGateway;
  const tokensSeen: string[] = [BOTH_SECRET, OTHER_SECRET];
  const track = (token: string) => {
    tokensSeen.push(token);
    return token;
  };

  beforeAll(async () => {
    idp = await startOidcProvider();
    const entra = (tenants: string[]) =>
      `{ tenants: [${tenants.join(', ')}], authority: "${idp.authority}", v1IssuerBase: "${idp.v1IssuerBase}", keys: { cooldownSeconds: 0 } }`;
    jw = await startGateway({
      app: 'both',
      env: { SCIM_BRIDGE_TOKEN_BOTH: BOTH_SECRET, SCIM_BRIDGE_TOKEN_OTHER: OTHER_SECRET },
      configYaml: [
        'security:',
        // The attack set comes from one address; the throttle has its own tests.
        '  failedAuth: { maxFailures: 10000 }',
        'apps:',
        '  both:',
        '    connector: store',
        `    auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN_BOTH }], entra: ${entra([TENANT])} }`,
        '  jwt-only:',
        '    connector: store',
        `    auth: { entra: ${entra([TENANT])} }`,
        '  other:',
        '    connector: store',
        `    auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN_OTHER }], entra: ${entra([OTHER_TENANT])} }`,
        '',
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await jw?.close();
    await idp?.close();
  });

  const call = (app: string, token: string | null, path = '/Users') =>
    jw.call(`${jw.origin}/apps/${app}/scim/v2${path}`, { token: token ?? null });

  it.each([
    { name: 'v1 issuer (what provisioning sends)', issuer: 'v1' as const },
    { name: 'v2 issuer', issuer: 'v2' as const },
  ])('a valid token with the $name is accepted', async ({ issuer }) => {
    const token = track(await idp.mint({ tenant: TENANT, issuer }));
    expect((await call('both', token)).status).toBe(200);
    expect((await call('jwt-only', token)).status).toBe(200);
  });

  it('an app that accepts both kinds still takes its secret; a JWT-only app refuses a secret', async () => {
    expect((await call('both', BOTH_SECRET)).status).toBe(200);
    expect((await call('jwt-only', BOTH_SECRET)).status).toBe(401);
  });

  it('a token expired less than the clock skew ago is still accepted (bounded skew)', async () => {
    const token = track(await idp.mint({ tenant: TENANT, expiresIn: -30 }));
    expect((await call('jwt-only', token)).status).toBe(200);
  });

  const attacks: { name: string; token: () => Promise<string> | string }[] = [
    { name: 'alg none', token: () => idp.mintUnsigned({ tenant: TENANT }) },
    { name: 'HS256 signed with the RSA public key as secret', token: () => idp.mintHs256WithPublicKey({ tenant: TENANT }) },
    { name: 'unknown kid', token: () => idp.mint({ tenant: TENANT, kid: 'no-such-key' }) },
    {
      name: 'signed by an unpublished key',
      token: async () => {
        const current = idp.currentKid();
        const rogue = await idp.addKey({ sign: false });
        idp.withdrawKey(rogue);
        expect(idp.currentKid()).toBe(current);
        return idp.mint({ tenant: TENANT, keyId: rogue });
      },
    },
    {
      name: 'tampered payload',
      token: async () => {
        const [header, payload, signature] = (await idp.mint({ tenant: TENANT, claims: { appid: 'a' } })).split('.');
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
        const forged = Buffer.from(JSON.stringify({ ...claims, appid: 'b' })).toString('base64url');
        return `${header}.${forged}.${signature}`;
      },
    },
    { name: 'signature removed', token: async () => `${(await idp.mint({ tenant: TENANT })).split('.').slice(0, 2).join('.')}.` },
    { name: 'wrong audience', token: () => idp.mint({ tenant: TENANT, aud: 'api://someone-else' }) },
    { name: 'wrong issuer', token: () => idp.mint({ tenant: TENANT, issuer: `https://evil.example/${TENANT}/` }) },
    { name: 'issuer of the real authority for another tenant, tid of ours', token: () => idp.mint({ tenant: TENANT, issuer: idp.issuerV1(OTHER_TENANT) }) },
    { name: 'right issuer form, another tenant (same audience)', token: () => idp.mint({ tenant: OTHER_TENANT }) },
    { name: 'no tid claim', token: () => idp.mint({ tenant: TENANT, tid: null }) },
    { name: 'expired', token: () => idp.mint({ tenant: TENANT, expiresIn: -3600 }) },
    { name: 'not yet valid', token: () => idp.mint({ tenant: TENANT, notBefore: 3600 }) },
    { name: 'no exp claim', token: () => idp.mint({ tenant: TENANT, claims: { exp: undefined } }) },
    { name: 'garbage in JWT shape', token: () => 'eyJhbGciOiJSUzI1NiJ9.bm90LWpzb24.c2ln' },
    { name: "the attacker's own key embedded in the header (jwk)", token: () => rogueToken(async (publicKey) => ({ jwk: await exportJWK(publicKey) })) },
    { name: "jku pointing at the attacker's key set", token: () => rogueToken(async () => ({ jku: 'http://127.0.0.1:9/keys', kid: 'rogue' })) },
    { name: 'x5u pointing at the attacker', token: () => rogueToken(async () => ({ x5u: 'http://127.0.0.1:9/cert.pem' })) },
    { name: 'kid that is not a string', token: () => forgeHeader({ alg: 'RS256', kid: { $ne: null } }) },
    { name: 'alg as a list', token: () => forgeHeader({ alg: ['RS256', 'none'] }) },
    { name: 'unknown critical header', token: () => forgeHeader({ alg: 'RS256', crit: ['exp'], exp: 1 }) },
    { name: 'unencoded payload (b64: false)', token: () => forgeHeader({ alg: 'RS256', b64: false, crit: ['b64'] }) },
  ];

  /** A well-formed token for our tenant, signed by a key the attacker made, with extra header fields. */
  async function rogueToken(extraHeader: (publicKey: CryptoKey) => Promise<Record<string, unknown>>): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ tid: TENANT, aud: NON_GALLERY_AUDIENCE, iss: idp.issuerV1(TENANT), exp: now + 3600 })
      .setProtectedHeader({ alg: 'RS256', ...(await extraHeader(publicKey)) })
      .sign(privateKey);
  }

  /** A real token whose header is replaced (its signature no longer covers it). */
  async function forgeHeader(header: Record<string, unknown>): Promise<string> {
    const [, payload, signature] = (await idp.mint({ tenant: TENANT })).split('.');
    return `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${payload}.${signature}`;
  }
  it.each(attacks)('$name → 401 (never 500), on a JWT-only app and on an app that also takes secrets', async ({ token }) => {
    const jwt = track(await token());
    for (const app of ['jwt-only', 'both']) {
      const res = await read(await call(app, jwt));
      expect(res.status, app).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="scim-bridge", error="invalid_token"');
      expect(res.body).toEqual(UNAUTHORIZED_BODY);
    }
  });

  it('the logs say why a JWT failed, in words an operator can act on', async () => {
    const expired = track(await idp.mint({ tenant: TENANT, expiresIn: -3600 }));
    await jw.call(`${jw.origin}/apps/jwt-only/scim/v2/Users`, { token: expired, headers: { 'X-Request-Id': 'jwt-expired' } });
    const line = jw.logs.map((l) => JSON.parse(l)).find((l) => l.reqId === 'jwt-expired' && l.msg === 'authentication failed');
    expect(line.reason).toMatch(/ERR_JWT_EXPIRED/);
  });

  it("a token (or secret) of app A does not open app B, even right after A accepted it", async () => {
    const token = track(await idp.mint({ tenant: TENANT }));
    expect((await call('both', token)).status).toBe(200);
    expect((await call('other', token)).status).toBe(401);
    expect((await call('other', BOTH_SECRET)).status).toBe(401);
    expect((await call('both', OTHER_SECRET)).status).toBe(401);
    const otherToken = track(await idp.mint({ tenant: OTHER_TENANT }));
    expect((await call('other', otherToken)).status).toBe(200);
    expect((await call('both', otherToken)).status).toBe(401);
  });

  it('a new signing key published in the JWKS is accepted without a restart (unknown kid → one refresh)', async () => {
    const before = idp.hits.jwks;
    const oldToken = track(await idp.mint({ tenant: TENANT }));
    expect((await call('jwt-only', oldToken)).status).toBe(200);
    const newKid = await idp.addKey();
    const rotated = track(await idp.mint({ tenant: TENANT }));
    expect(idp.currentKid()).toBe(newKid);
    expect((await call('jwt-only', rotated)).status).toBe(200);
    expect(idp.hits.jwks).toBeGreaterThan(before);
  });

  it('the default audience is the non-gallery one', async () => {
    const token = track(await idp.mint({ tenant: TENANT, aud: NON_GALLERY_AUDIENCE }));
    expect((await call('jwt-only', token)).status).toBe(200);
  });

  it('no token or secret appears in any log line, response or audit record', async () => {
    await call('both', BOTH_SECRET, '/Users?filter=userName+eq+%22nobody%22');
    await jw.call(`${jw.origin}/apps/both/scim/v2/Users`, {
      method: 'POST',
      token: BOTH_SECRET,
      json: { schemas: [USER_SCHEMA], userName: 'audited@example.com' },
    });
    await new Promise((r) => setTimeout(r, 20));
    const logs = jw.logs.join('\n');
    const audit = JSON.stringify(await jw.gateway.store.readAudit('both', 1000));
    const metrics = await fetch(`${jw.origin}/metrics`).then(async (r) => (r.status === 200 ? r.text() : ''));
    expect(tokensSeen.length).toBeGreaterThan(20);
    for (const token of tokensSeen) {
      // A JWT's signature alone identifies it; secrets are checked whole.
      const needle = token.includes('.') ? (token.split('.')[2] || token.split('.')[1]!) : token;
      expect(logs).not.toContain(needle);
      expect(audit).not.toContain(needle);
      expect(metrics).not.toContain(needle);
    }
  });
});
