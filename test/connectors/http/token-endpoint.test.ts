/**
 * Token endpoints that are not textbook OAuth2 (Personio's `POST /auth`): credentials in a JSON body, the
 * token at `data.token`, its lifetime at `data.expires_in`, and an API that answers 403 to a stale token.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNativeClient } from '../../../src/connectors/http/client.js';
import { DownstreamError, type OutboundAuth } from '../../../src/connectors/http/types.js';
import { FakeClock, json, settingsFor, startServer, type TestServer } from './support.js';

describe('token auth: a token endpoint of the API\'s own', () => {
  let server: TestServer;
  let issued = 0;
  /** Tokens the API accepts; a token taken out of it gets 403, as Personio answers a stale one. */
  const valid = new Set<string>();
  beforeAll(async () => {
    server = await startServer((req, res, body) => {
      if (req.url === '/v1/big-auth') {
        // More than a token answer may be, and never ended: a client that read it all would wait forever.
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return void res.write(`{"data":{"token":"${'x'.repeat(128 * 1024)}`);
      }
      if (req.url === '/v1/auth') {
        const credentials = JSON.parse(body) as Record<string, string>;
        if (credentials.client_id !== 'cid' || credentials.client_secret !== 'top-secret') return json(res, 401, { success: false, error: { code: 401 } });
        const token = `papi-${++issued}`;
        valid.add(token);
        return json(res, 200, { success: true, data: { token, expires_in: 600, scope: 'employees:read' } });
      }
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!valid.has(token)) return json(res, 403, { success: false, error: { code: 403, message: 'Provided authorization is not valid' } });
      return json(res, 200, { success: true, data: { token } });
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    issued = 0;
    valid.clear();
    server.seen.length = 0;
  });

  const auth = (overrides: Partial<Extract<OutboundAuth, { type: 'token' }>> = {}): OutboundAuth => ({
    type: 'token',
    request: { method: 'POST', url: `${server.url}/v1/auth`, json: { client_id: 'cid', client_secret: 'top-secret' } },
    token: 'data.token',
    expiresIn: 'data.expires_in',
    lifetimeSeconds: 3600,
    header: 'Authorization',
    prefix: 'Bearer',
    refreshOn: [401, 403],
    ...overrides,
  });
  const get = (client: ReturnType<typeof createNativeClient>) => client.request({ method: 'GET', path: '/company/employees', idempotent: true, operation: 'users.search' });

  it('posts the credentials as JSON, reads the token at its path and sends it as a bearer token', async () => {
    const client = createNativeClient(settingsFor(`${server.url}/v1`, { auth: auth() }));
    const res = await get(client);
    expect(res.status).toBe(200);
    expect(server.seen[0]).toMatchObject({ method: 'POST', url: '/v1/auth', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(server.seen[0]!.body)).toEqual({ client_id: 'cid', client_secret: 'top-secret' });
    expect(server.seen[1]!.headers.authorization).toBe('Bearer papi-1');
    await client.close();
  });

  it('keeps the token for its lifetime (from the answer) less a margin, then fetches a new one', async () => {
    const clock = new FakeClock();
    const client = createNativeClient(settingsFor(`${server.url}/v1`, { auth: auth() }), { clock });
    await get(client);
    await get(client);
    expect(issued).toBe(1);
    clock.advance(569_000);
    await get(client);
    expect(issued).toBe(1);
    clock.advance(2_000); // 600 s - 30 s margin passed
    await get(client);
    expect(issued).toBe(2);
    await client.close();
  });

  it('a 403 to a stale token: one new token, the call tried once more', async () => {
    const client = createNativeClient(settingsFor(`${server.url}/v1`, { auth: auth() }));
    await get(client);
    valid.clear(); // the API dropped the token it gave
    const res = await get(client);
    expect(res.status).toBe(200);
    expect(server.seen.map((s) => s.url)).toEqual(['/v1/auth', '/v1/company/employees', '/v1/company/employees', '/v1/auth', '/v1/company/employees']);
    expect(server.seen.at(-1)!.headers.authorization).toBe('Bearer papi-2');
    await client.close();
  });

  it('a 403 when the plugin did not list it is the answer: no refresh', async () => {
    const client = createNativeClient(settingsFor(`${server.url}/v1`, { auth: auth({ refreshOn: [401] }) }));
    await get(client);
    valid.clear();
    expect((await get(client)).status).toBe(403);
    expect(issued).toBe(1);
    await client.close();
  });

  it('a token endpoint that refuses the credentials: DownstreamError, the API is never called, the secret appears nowhere', async () => {
    const client = createNativeClient(
      settingsFor(`${server.url}/v1`, { auth: auth({ request: { method: 'POST', url: `${server.url}/v1/auth`, json: { client_id: 'cid', client_secret: 'wrong-secret' } } }) }),
    );
    const error = await get(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownstreamError);
    expect(server.seen.every((s) => s.url === '/v1/auth')).toBe(true);
    expect(JSON.stringify(error) + String(error)).not.toContain('wrong-secret');
    await client.close();
  });

  it('an answer larger than a token answer may be is refused without being read to its end', async () => {
    const big = auth();
    if (big.type !== 'token') throw new Error('unreachable');
    const client = createNativeClient(settingsFor(`${server.url}/v1`, { auth: { ...big, request: { ...big.request, url: `${server.url}/v1/big-auth` } } }));
    const error = await get(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownstreamError);
    expect((error as Error).message).toContain('other than JSON');
    await client.close();
  });

  it('an answer without a token at the path is refused with a message naming the path', async () => {
    const client = createNativeClient(settingsFor(`${server.url}/v1`, { auth: auth({ token: 'data.access_token' }) }));
    const error = await get(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownstreamError);
    expect((error as Error).message).toContain('no token at "data.access_token"');
    await client.close();
  });

  it('a token URL that is not https (off loopback) is refused when the client is made', () => {
    expect(() => createNativeClient(settingsFor(`${server.url}/v1`, { auth: auth({ request: { method: 'POST', url: 'http://api.example.com/auth' } }) }))).toThrow(
      /token auth: request.url must be https/,
    );
  });
});
