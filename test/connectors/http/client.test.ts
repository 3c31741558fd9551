/** The client end to end: what goes on the wire, what comes back, events, logs, close — and no secret anywhere. */
import { getEventListeners, setMaxListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNativeClient } from '../../../src/connectors/http/client.js';
import { createRedactor, truncateUtf8 } from '../../../src/connectors/http/redact.js';
import { ResponseTooLargeError } from '../../../src/connectors/http/response.js';
import { createTransport } from '../../../src/connectors/http/transport.js';
import { linkSignals } from '../../../src/connectors/http/signals.js';
import { DownstreamError, type NativeCallEvent, type OutboundAuth } from '../../../src/connectors/http/types.js';
import { captureLog, FakeClock, json, settingsFor, startServer, until, type TestServer } from './support.js';

describe('responses', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((req, res, body) => {
      const [, kind] = /^\/r\/([a-z-]+)/.exec(req.url ?? '') ?? [];
      const send = (status: number, type: string | undefined, text: string): void => {
        res.writeHead(status, type === undefined ? { 'X-Trace-ID': 'abc' } : { 'Content-Type': type, 'X-Trace-ID': 'abc' });
        res.end(text);
      };
      switch (kind) {
        case 'json': return send(200, 'application/json; charset=utf-8', '{"id":42,"name":"Zoë"}');
        case 'scim': return send(200, 'application/scim+json', '{"id":"x"}');
        case 'problem': return send(400, 'application/problem+json', '{"title":"bad"}');
        case 'text': return send(200, 'text/plain', 'plain words');
        case 'html': return send(502, 'text/html', '<h1>Bad gateway</h1>');
        case 'empty-json': return send(200, 'application/json', '');
        case 'no-content': return send(204, undefined, '');
        case 'broken-json': return send(200, 'application/json', '{"id":');
        case 'created': res.writeHead(201, { Location: '/employees/77' }); return res.end();
        case 'redirect': res.writeHead(302, { Location: 'http://127.0.0.2/steal' }); return res.end();
        case 'echo': return json(res, 200, { contentType: req.headers['content-type'] ?? null, body });
        default: return send(404, 'application/json', '{"detail":"Not found."}');
      }
    });
  });
  afterAll(async () => {
    await server.close();
  });

  const rows: { path: string; status: number; body: unknown }[] = [
    { path: '/r/json', status: 200, body: { id: 42, name: 'Zoë' } },
    { path: '/r/scim', status: 200, body: { id: 'x' } },
    { path: '/r/problem', status: 400, body: { title: 'bad' } },
    { path: '/r/text', status: 200, body: 'plain words' },
    { path: '/r/empty-json', status: 200, body: undefined },
    { path: '/r/no-content', status: 204, body: undefined },
    { path: '/r/broken-json', status: 200, body: '{"id":' },
    { path: '/r/created', status: 201, body: undefined },
    { path: '/r/missing', status: 404, body: { detail: 'Not found.' } },
    // Redirects are answers: the credentials never follow a Location to another host.
    { path: '/r/redirect', status: 302, body: undefined },
  ];
  it.each(rows)('$path → $status', async ({ path, status, body }) => {
    const client = createNativeClient(settingsFor(server.url));
    const res = await client.request({ method: 'GET', path, idempotent: true, operation: 'read' });
    expect(res.status).toBe(status);
    expect(res.body).toEqual(body);
    expect(res.headers['x-trace-id'] ?? res.headers.location).toBeDefined();
    expect(Object.keys(res.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(res.durationMs).toBeGreaterThanOrEqual(0);
    await client.close();
  });

  it('keeps the Location of a 201 without a body (BambooHR creates)', async () => {
    const client = createNativeClient(settingsFor(server.url));
    const res = await client.request({ method: 'POST', path: '/r/created', body: { firstName: 'A' }, idempotent: false, operation: 'users.create' });
    expect(res).toMatchObject({ status: 201, body: undefined, headers: { location: '/employees/77' } });
    await client.close();
  });

  it('sends a JSON body with Content-Type application/json, and none without a body', async () => {
    const client = createNativeClient(settingsFor(server.url));
    const withBody = await client.request({ method: 'PUT', path: '/r/echo', body: { is_active: false, name: 'Zoë' }, idempotent: true, operation: 'x' });
    expect(withBody.body).toEqual({ contentType: 'application/json', body: '{"is_active":false,"name":"Zoë"}' });
    const without = await client.request({ method: 'DELETE', path: '/r/echo', idempotent: true, operation: 'x' });
    expect(without.body).toEqual({ contentType: null, body: '' });
    await client.close();
  });

  it('a 502 HTML page becomes DownstreamError http 502, its body only in details', async () => {
    const client = createNativeClient(settingsFor(server.url, { retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } }));
    const err = await client.request({ method: 'GET', path: '/r/html', idempotent: true, operation: 'read' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownstreamError);
    expect(err).toMatchObject({ kind: 'http', message: 'native API answered 502', details: { status: 502, body: '<h1>Bad gateway</h1>' } });
    await client.close();
  });

  it('refuses an answer larger than the cap without buffering it', async () => {
    const big = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(1_000));
    });
    const transport = createTransport(1, 999);
    const send = () => transport.send(new URL(big.url), { method: 'GET', headers: {}, body: undefined, signal: new AbortController().signal });
    await expect(send()).rejects.toBeInstanceOf(ResponseTooLargeError);
    const exact = createTransport(1, 1_000);
    await expect(exact.send(new URL(big.url), { method: 'GET', headers: {}, body: undefined, signal: new AbortController().signal })).resolves.toMatchObject({
      status: 200,
      body: 'x'.repeat(1_000),
    });
    transport.close();
    exact.close();
    await big.close();
  });

  it.each(['TRACE', 'CONNECT', 'get'])('refuses method %s', async (method) => {
    const client = createNativeClient(settingsFor(server.url));
    // @ts-expect-error a plugin bug the types would catch; the client still refuses at run time
    await expect(client.request({ method, path: '/r/json', idempotent: true, operation: 'x' })).rejects.toThrow(TypeError);
    await client.close();
  });
});

describe('onCall events', () => {
  it('one per attempt: operation, method, path without query, status, attempt, outcome', async () => {
    let calls = 0;
    const server = await startServer((_req, res) => {
      calls += 1;
      json(res, calls === 1 ? 503 : 200, {}, { 'Retry-After': '0' });
    });
    const events: NativeCallEvent[] = [];
    const client = createNativeClient(settingsFor(server.url), { clock: new FakeClock(true), onCall: (e) => events.push(e) });
    await client.request({ method: 'GET', path: '/user/', query: { email: 'a@b.c' }, idempotent: true, operation: 'users.find' });
    expect(events.map(({ durationMs, rateWaitMs, ...rest }) => ({ ...rest, timed: durationMs >= 0 && rateWaitMs! >= 0 }))).toEqual([
      { operation: 'users.find', method: 'GET', path: '/user/', status: 503, attempt: 1, outcome: 'retry', timed: true },
      { operation: 'users.find', method: 'GET', path: '/user/', status: 200, attempt: 2, outcome: 'ok', timed: true },
    ]);
    await client.close();
    await server.close();
  });

  it('a throwing listener does not fail a call that happened', async () => {
    const server = await startServer((_req, res) => json(res, 201, { id: 1 }));
    const { lines, log } = captureLog();
    const client = createNativeClient(settingsFor(server.url), {
      log,
      onCall: () => {
        throw new Error('audit store down');
      },
    });
    const res = await client.request({ method: 'POST', path: '/user/', body: {}, idempotent: false, operation: 'users.create' });
    expect(res.status).toBe(201);
    expect(lines.some((l) => l.level === 'warn' && l.msg === 'native call listener threw')).toBe(true);
    await client.close();
    await server.close();
  });
});

describe('close', () => {
  it('aborts the request in flight and the ones waiting for a slot; later calls fail at once', async () => {
    const server = await startServer(() => undefined); // never answers
    const client = createNativeClient(settingsFor(server.url, { rateLimit: { requestsPerSecond: 100, concurrency: 1 } }));
    const call = () => client.request({ method: 'GET', path: '/slow', idempotent: true, operation: 'slow' }).catch((e: unknown) => e);
    const inFlight = call();
    await until(() => server.seen.length === 1);
    const queued = call();
    await client.close();
    for (const err of [await inFlight, await queued, await call()]) {
      expect(err).toBeInstanceOf(DownstreamError);
      expect(err).toMatchObject({ kind: 'unavailable', message: 'native client closed' });
    }
    expect(server.seen).toHaveLength(1);
    await server.close();
  });

  it('aborts a backoff wait', async () => {
    const server = await startServer((_req, res) => json(res, 503, {}, { 'Retry-After': '30' }));
    const client = createNativeClient(settingsFor(server.url, { retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 60_000 } }));
    const pending = client.request({ method: 'GET', path: '/', idempotent: true, operation: 'x' }).catch((e: unknown) => e);
    await until(() => server.seen.length === 1);
    await client.close();
    expect(await pending).toMatchObject({ kind: 'unavailable', message: 'native client closed' });
    expect(server.seen).toHaveLength(1);
    await server.close();
  });
});

describe('redaction', () => {
  const redact = createRedactor(() => ['s3cr3t-key', 'tok-abcdef', 'x']);
  const rows = [
    { input: 'key s3cr3t-key rejected', expected: 'key [redacted] rejected' },
    { input: '{"detail":"bad token tok-abcdef"}', expected: '{"detail":"bad token [redacted]"}' },
    { input: '{"headers":{"Authorization":"Bearer zzz.yyy"}}', expected: '{"headers":{"Authorization":"[redacted]"}}' },
    { input: 'Authorization: Basic dXNlcjpwYXNz', expected: 'Authorization: [redacted]' },
    { input: 'X-API-Key: abc123 was refused', expected: 'X-API-Key: [redacted] was refused' },
    { input: 'api_key=abc123&page=2', expected: 'api_key=[redacted]&page=2' },
    { input: '{"client_secret":"cs","password":"pw"}', expected: '{"client_secret":"[redacted]","password":"[redacted]"}' },
    { input: 'sent Bearer eyJhbGciOi.eyJzdWIi.sig', expected: 'sent Bearer [redacted]' },
    // One-letter secrets (BambooHR's "x" password) are not searched for.
    { input: 'max x', expected: 'max x' },
    { input: '{"detail":"Not found."}', expected: '{"detail":"Not found."}' },
    // Personal data: emails anywhere, the values of fields that name or reach a person; the API's message stays.
    { input: '{"email":["user with email ada@acme.example already exists"]}', expected: '{"email":["user with email [email] already exists"]}' },
    { input: '{"detail":"ada.lovelace@acme.example exists","code":409}', expected: '{"detail":"[email] exists","code":409}' },
    { input: '{"first_name":"Ada","last_name":"Lovelace","title":"Countess"}', expected: '{"first_name":"[redacted]","last_name":"[redacted]","title":"Countess"}' },
    { input: '{"errors":[{"field":"phone","message":"US format only"}],"phone": "+44 20 7946 0000"}', expected: '{"errors":[{"field":"phone","message":"US format only"}],"phone": "[redacted]"}' },
    { input: 'displayName=Ada%20L&page=2', expected: 'displayName=[redacted]&page=2' },
  ];
  it.each(rows)('$input', ({ input, expected }) => {
    expect(redact(input)).toBe(expected);
  });

  it('truncates to 2 KiB on a character boundary', () => {
    const text = 'é'.repeat(5_000);
    const cut = truncateUtf8(text);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(2048);
    expect(cut.endsWith('…[truncated]')).toBe(true);
    expect(cut).not.toContain('\uFFFD');
    expect(truncateUtf8('short')).toBe('short');
  });
});

describe('secrets never reach an error or a log line', () => {
  const SECRETS = {
    header: 'hk-15five-9f8e7d6c',
    basic: 'bp-Pässwort-4711',
    bearer: 'bt-0a1b2c3d4e5f',
    clientSecret: 'cs-oauth-secret-77',
  };
  let api: TestServer;
  let tokens: TestServer;
  beforeAll(async () => {
    tokens = await startServer((_req, res) => json(res, 200, { access_token: 'at-issued-123456', token_type: 'Bearer', expires_in: 3600 }));
    // A careless API: echoes the credentials it received in its error bodies, in several shapes.
    api = await startServer((req, res, _body, index) => {
      const auth = String(req.headers.authorization ?? req.headers['x-api-key'] ?? '');
      const raw = auth.replace(/^(Bearer|Basic) /, '');
      const decoded = Buffer.from(raw, 'base64').toString('utf8');
      const status = [400, 500, 503, 401][index % 4] ?? 400;
      json(res, status, {
        detail: `Invalid credentials ${auth}`,
        echo: { headers: req.headers, raw, decoded },
        padding: 'p'.repeat(5_000),
      });
    });
  });
  afterAll(async () => {
    await api.close();
    await tokens.close();
  });

  const auths: { name: string; auth: () => OutboundAuth }[] = [
    { name: 'header', auth: () => ({ type: 'header', header: 'X-API-Key', value: SECRETS.header }) },
    { name: 'header with prefix', auth: () => ({ type: 'header', header: 'Authorization', prefix: 'Token', value: SECRETS.header }) },
    { name: 'basic', auth: () => ({ type: 'basic', username: 'api', password: SECRETS.basic }) },
    { name: 'bearer', auth: () => ({ type: 'bearer', token: SECRETS.bearer }) },
    {
      name: 'oauth2',
      auth: () => ({ type: 'oauth2', tokenUrl: `${tokens.url}/token`, clientId: 'cid', clientSecret: SECRETS.clientSecret }),
    },
  ];
  it.each(auths)('$name', async ({ auth }) => {
    const { lines, log } = captureLog();
    const events: NativeCallEvent[] = [];
    const client = createNativeClient(settingsFor(api.url, { auth: auth(), retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 } }), {
      log,
      clock: new FakeClock(true),
      onCall: (e) => events.push(e),
    });
    const outcomes: unknown[] = [];
    for (let i = 0; i < 6; i += 1) {
      const method = i % 2 === 0 ? 'GET' : 'POST';
      outcomes.push(
        await client.request({ method, path: '/user/', body: method === 'POST' ? {} : undefined, idempotent: method === 'GET', operation: 'op' }).then(
          (res) => ({ status: res.status }),
          (err: unknown) => err,
        ),
      );
    }
    await client.close();

    const errors = outcomes.filter((o): o is DownstreamError => o instanceof DownstreamError);
    expect(errors.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.level === 'warn').length).toBeGreaterThan(0);
    const everything = [
      ...errors.map((e) => `${e.message} ${String(e)} ${e.stack ?? ''} ${JSON.stringify(e.details)}`),
      ...lines.map((l) => `${l.msg} ${JSON.stringify(l.obj)}`),
      JSON.stringify(events),
    ].join('\n');
    const base64Forms = Object.values(SECRETS).map((s) => Buffer.from(`api:${s}`, 'utf8').toString('base64'));
    for (const secret of [...Object.values(SECRETS), 'at-issued-123456', ...base64Forms]) expect(everything).not.toContain(secret);
    expect(everything).toContain('[redacted]');
    for (const line of lines.filter((l) => l.level === 'warn')) {
      const body = (line.obj as { body?: string }).body ?? '';
      expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(2048);
    }
  });
});

describe('linkSignals', () => {
  it('follows its sources, and leaves no listener behind once disposed', () => {
    const lifetime = new AbortController();
    setMaxListeners(0, lifetime.signal);
    const links = Array.from({ length: 50 }, () => linkSignals([lifetime.signal], 60_000));
    expect(getEventListeners(lifetime.signal, 'abort')).toHaveLength(50);
    for (const link of links) link.dispose();
    expect(getEventListeners(lifetime.signal, 'abort')).toHaveLength(0);

    const live = linkSignals([lifetime.signal]);
    lifetime.abort(new Error('closing'));
    expect(live.signal.aborted).toBe(true);
    expect(live.signal.reason).toEqual(new Error('closing'));
    expect(live.timedOut()).toBe(false);
    expect(linkSignals([lifetime.signal]).signal.aborted).toBe(true);
  });

  it('marks a timeout as such', async () => {
    const link = linkSignals([new AbortController().signal], 5);
    await until(() => link.signal.aborted);
    expect(link.timedOut()).toBe(true);
    expect((link.signal.reason as DOMException).name).toBe('TimeoutError');
    link.dispose();
  });
});

describe('settings checked at creation', () => {
  const good = settingsFor('https://api.example.com/v1');
  const rows = [
    { name: 'relative base URL', settings: { ...good, baseUrl: '/api' } },
    { name: 'zero timeout', settings: { ...good, timeoutMs: 0 } },
    { name: 'timeout beyond timers', settings: { ...good, timeoutMs: 2 ** 31 } },
    { name: 'no attempts', settings: { ...good, retry: { attempts: 0, baseDelayMs: 1, maxDelayMs: 2 } } },
    { name: 'max delay below base', settings: { ...good, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 5 } } },
    { name: 'zero rate', settings: { ...good, rateLimit: { requestsPerSecond: 0, concurrency: 1 } } },
    { name: 'zero concurrency', settings: { ...good, rateLimit: { requestsPerSecond: 1, concurrency: 0 } } },
    { name: 'fractional burst', settings: { ...good, rateLimit: { requestsPerSecond: 1, burst: 0.5, concurrency: 1 } } },
    { name: 'bad fixed header', settings: { ...good, headers: { 'Bad Header': 'x' } } },
  ];
  it.each(rows)('refuses $name', ({ settings }) => {
    expect(() => createNativeClient(settings)).toThrow(TypeError);
  });
});
