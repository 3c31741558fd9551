/** Outbound credentials exactly as a native server receives them, and OAuth2 client-credentials tokens. */
import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNativeClient } from '../../../src/connectors/http/client.js';
import { cacheLifetimeSeconds } from '../../../src/connectors/http/oauth2.js';
import { DownstreamError, type NativeCallEvent, type NativeClient, type OutboundAuth } from '../../../src/connectors/http/types.js';
import { FakeClock, json, settingsFor, startServer, type TestServer } from './support.js';

describe('static schemes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((_req, res) => json(res, 200, {}));
  });
  afterAll(async () => {
    await server.close();
  });

  const utf8Password = 'pässwört-ключ-🔑';
  const rows: { name: string; auth: OutboundAuth; header: string; expected: string | undefined }[] = [
    { name: 'none', auth: { type: 'none' }, header: 'authorization', expected: undefined },
    { name: '15Five key as is', auth: { type: 'header', header: 'Authorization', value: 'k-15five-abc' }, header: 'authorization', expected: 'k-15five-abc' },
    {
      name: '15Five key with Bearer prefix',
      auth: { type: 'header', header: 'Authorization', prefix: 'Bearer', value: 'k-15five-abc' },
      header: 'authorization',
      expected: 'Bearer k-15five-abc',
    },
    { name: 'custom header name', auth: { type: 'header', header: 'X-API-Key', value: 'k-custom-123' }, header: 'x-api-key', expected: 'k-custom-123' },
    {
      name: 'custom header with prefix',
      auth: { type: 'header', header: 'X-Auth', prefix: 'Token', value: 'k-tok-9' },
      header: 'x-auth',
      expected: 'Token k-tok-9',
    },
    {
      name: 'basic (BambooHR apiKey:x)',
      auth: { type: 'basic', username: 'bamboo-key-1', password: 'x' },
      header: 'authorization',
      expected: `Basic ${Buffer.from('bamboo-key-1:x').toString('base64')}`,
    },
    {
      name: 'basic with a UTF-8 password (RFC 7617)',
      auth: { type: 'basic', username: 'api', password: utf8Password },
      header: 'authorization',
      expected: `Basic ${Buffer.from(`api:${utf8Password}`, 'utf8').toString('base64')}`,
    },
    { name: 'bearer', auth: { type: 'bearer', token: 'tok-abc.def' }, header: 'authorization', expected: 'Bearer tok-abc.def' },
  ];

  it.each(rows)('$name', async ({ auth, header, expected }) => {
    const client = createNativeClient(settingsFor(server.url, { auth, headers: { Accept: 'application/json' } }));
    await client.request({ method: 'GET', path: '/whoami', idempotent: true, operation: 'whoami' });
    const seen = server.seen.at(-1);
    expect(seen?.headers[header]).toBe(expected);
    expect(seen?.headers.accept).toBe('application/json');
    await client.close();
  });

  it('the UTF-8 password decodes back exactly on the server', async () => {
    const client = createNativeClient(settingsFor(server.url, { auth: { type: 'basic', username: 'api', password: utf8Password } }));
    await client.request({ method: 'GET', path: '/', idempotent: true, operation: 'x' });
    const header = server.seen.at(-1)?.headers.authorization ?? '';
    expect(Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8')).toBe(`api:${utf8Password}`);
    await client.close();
  });

  it('the auth header wins over a configured header of the same name (any case)', async () => {
    const client = createNativeClient(settingsFor(server.url, { auth: { type: 'bearer', token: 'real' }, headers: { authorization: 'stale' } }));
    await client.request({ method: 'GET', path: '/', idempotent: true, operation: 'x' });
    expect(server.seen.at(-1)?.headers.authorization).toBe('Bearer real');
    await client.close();
  });

  const misconfigured: { name: string; auth: OutboundAuth }[] = [
    { name: 'header name with a space', auth: { type: 'header', header: 'X API Key', value: 'k' } },
    { name: 'header value with CRLF', auth: { type: 'header', header: 'X-Key', value: 'k\r\nX-Evil: 1' } },
    { name: 'empty header value', auth: { type: 'header', header: 'X-Key', value: '' } },
    { name: 'basic user-id with a colon', auth: { type: 'basic', username: 'a:b', password: 'p' } },
    { name: 'empty bearer token', auth: { type: 'bearer', token: '' } },
    { name: 'bearer token with a newline', auth: { type: 'bearer', token: 'a\nb' } },
    {
      name: 'oauth2 token URL over http to another host',
      auth: { type: 'oauth2', tokenUrl: 'http://auth.example.com/token', clientId: 'c', clientSecret: 's' },
    },
    { name: 'oauth2 without a secret', auth: { type: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientId: 'c', clientSecret: '' } },
  ];
  it.each(misconfigured)('refuses at creation: $name', ({ auth }) => {
    expect(() => createNativeClient(settingsFor(server.url, { auth }))).toThrow(TypeError);
  });
});

describe('cacheLifetimeSeconds', () => {
  const rows = [
    { expiresIn: 3600, expected: 3570 },
    { expiresIn: 100, expected: 70 },
    { expiresIn: 40, expected: 20 },
    { expiresIn: undefined, expected: 60 },
    { expiresIn: 0, expected: 60 },
  ];
  it.each(rows)('expires_in $expiresIn → $expected s', ({ expiresIn, expected }) => {
    expect(cacheLifetimeSeconds(expiresIn)).toBe(expected);
  });
});

describe('oauth2 client credentials', () => {
  const CLIENT_ID = 'gateway-client';
  const CLIENT_SECRET = 'cs-very-secret-4711';
  let tokenServer: TestServer;
  let api: TestServer;
  let issued = 0;
  let expiresIn = 100;
  /** Tokens the API accepts; a test can revoke them. */
  const valid = new Set<string>();
  /** The API refuses every token (the client lost its permission). */
  let refuseAll = false;
  const clients: NativeClient[] = [];

  const grantOf = (body: string): URLSearchParams => new URLSearchParams(body);
  beforeAll(async () => {
    tokenServer = await startServer((req, res, body) => {
      const form = grantOf(body);
      if (req.method !== 'POST' || form.get('grant_type') !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
      if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET) return json(res, 401, { error: 'invalid_client' });
      issued += 1;
      const token = `at-${issued}-${'x'.repeat(8)}`;
      valid.add(token);
      json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn });
    });
    api = await startServer((req: IncomingMessage, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (refuseAll || !valid.has(token)) return json(res, 401, { detail: 'Invalid token.' });
      json(res, 200, { ok: true });
    });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    issued = 0;
    expiresIn = 100;
    refuseAll = false;
    valid.clear();
  });
  afterAll(async () => {
    await tokenServer.close();
    await api.close();
  });

  function oauthClient(extra: { clock?: FakeClock; secret?: string; events?: NativeCallEvent[] } = {}): NativeClient {
    const auth: OutboundAuth = {
      type: 'oauth2',
      tokenUrl: `${tokenServer.url}/oauth/token`,
      clientId: CLIENT_ID,
      clientSecret: extra.secret ?? CLIENT_SECRET,
      scope: 'users:write groups:write',
      audience: 'https://api.example.com',
    };
    const client = createNativeClient(settingsFor(api.url, { auth }), {
      clock: extra.clock,
      onCall: (e) => extra.events?.push(e),
    });
    clients.push(client);
    return client;
  }
  const get = (client: NativeClient) => client.request({ method: 'GET', path: '/users', idempotent: true, operation: 'users.list' });

  it('fetches one token for many concurrent requests, with scope and audience, credentials in the form', async () => {
    const tokenRequestsBefore = tokenServer.seen.length;
    const client = oauthClient();
    const responses = await Promise.all(Array.from({ length: 25 }, () => get(client)));
    expect(responses.map((r) => r.status)).toEqual(Array(25).fill(200));
    expect(tokenServer.seen.length - tokenRequestsBefore).toBe(1);
    const form = grantOf(tokenServer.seen.at(-1)?.body ?? '');
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      scope: 'users:write groups:write',
      audience: 'https://api.example.com',
    });
    expect(new Set(api.seen.slice(-25).map((s) => s.headers.authorization))).toEqual(new Set(['Bearer at-1-xxxxxxxx']));
  });

  it('reuses the token until 30 s before it expires, then fetches a new one', async () => {
    const clock = new FakeClock();
    const client = oauthClient({ clock });
    await get(client);
    clock.advance(69_000);
    await get(client);
    expect(issued).toBe(1);
    clock.advance(2_000); // 71 s: inside the 30 s margin of a 100 s token
    await get(client);
    expect(issued).toBe(2);
    expect(api.seen.at(-1)?.headers.authorization).toBe('Bearer at-2-xxxxxxxx');
  });

  it('after a 401 with the cached token: one new token, the request retried once (even a POST)', async () => {
    const events: NativeCallEvent[] = [];
    const client = oauthClient({ events });
    await get(client);
    valid.delete('at-1-xxxxxxxx'); // rotated on the authorization server's side
    const res = await client.request({ method: 'POST', path: '/users', body: { a: 1 }, idempotent: false, operation: 'users.create' });
    expect(res.status).toBe(200);
    expect(issued).toBe(2);
    expect(api.seen.slice(-2).map((s) => s.headers.authorization)).toEqual(['Bearer at-1-xxxxxxxx', 'Bearer at-2-xxxxxxxx']);
    expect(events.slice(-2).map((e) => [e.operation, e.status, e.attempt, e.outcome])).toEqual([
      ['users.create', 401, 1, 'retry'],
      ['users.create', 200, 2, 'ok'],
    ]);
  });

  it('concurrent 401s with the same stale token share one refresh', async () => {
    const client = oauthClient();
    await get(client);
    valid.clear();
    const responses = await Promise.all(Array.from({ length: 10 }, () => get(client)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(issued).toBe(2);
  });

  it('a second 401 is the answer: no refresh loop', async () => {
    const client = oauthClient();
    await get(client);
    refuseAll = true;
    const apiCallsBefore = api.seen.length;
    const res = await get(client);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Invalid token.' });
    expect(issued).toBe(2);
    expect(api.seen.length - apiCallsBefore).toBe(2);
  });

  it('wrong client credentials: DownstreamError, the API is never called, the secret appears nowhere', async () => {
    const apiCallsBefore = api.seen.length;
    const client = oauthClient({ secret: 'cs-wrong-secret-0815' });
    const err = await get(client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownstreamError);
    expect(err).toMatchObject({ kind: 'http', details: { operation: 'users.list', status: 401 } });
    expect((err as Error).message).toBe('OAuth2 token request refused (401 invalid_client)');
    expect(JSON.stringify(err) + String(err) + (err as Error).stack).not.toContain('cs-wrong-secret-0815');
    expect(api.seen.length).toBe(apiCallsBefore);
  });
});
