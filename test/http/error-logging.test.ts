/**
 * What the log says about answers that are errors by design: /Bulk's 501 and the 4xx a client earns are
 * one request line at info (and a debug line saying why), never an error line, never a stack trace. A
 * real fault still is one: an error line with the stack of its cause.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_SCHEMA, patchOp, read, SCIM, startGateway, USER_SCHEMA, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let userId: string;

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  status?: number;
  err?: { stack?: string };
}

/** The lines the request with this X-Request-Id wrote. */
function linesOf(id: string): LogLine[] {
  return gw.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.reqId === id);
}

let seq = 0;
async function send(path: string, init: RequestInit & { json?: unknown; token?: string | null } = {}): Promise<{ status: number; id: string }> {
  const id = `by-design-${(seq += 1)}`;
  const res = await gw.call(path, { ...init, headers: { ...(init.headers as Record<string, string>), 'X-Request-Id': id } });
  await res.arrayBuffer();
  // The request line is written when the response is finished; let that callback run.
  await new Promise((r) => setImmediate(r));
  return { status: res.status, id };
}

beforeAll(async () => {
  gw = await startGateway({ logLevel: 'debug' });
  userId = (await read(await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: 'logged@example.com' } }))).body.id;
});

afterAll(async () => {
  await gw.close();
});

describe('answers that are errors by design', () => {
  const requests: { name: string; status: number; path: string | (() => string); init?: RequestInit & { json?: unknown; token?: string | null } }[] = [
    { name: 'POST /Bulk', status: 501, path: '/Bulk', init: { method: 'POST', json: { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] } } },
    { name: 'GET /Bulk', status: 501, path: '/Bulk' },
    { name: 'a method the endpoint does not have', status: 405, path: '/Users', init: { method: 'DELETE' } },
    { name: 'an unknown id', status: 404, path: '/Users/00000000-0000-0000-0000-000000000000' },
    { name: 'an unknown endpoint', status: 404, path: '/Nothing' },
    { name: 'a bad filter', status: 400, path: '/Users?filter=userName+eq' },
    { name: 'malformed JSON', status: 400, path: '/Users', init: { method: 'POST', body: '{"userName":', headers: { 'Content-Type': SCIM } } },
    { name: 'a bad PATCH path', status: 400, path: () => `/Users/${userId}`, init: { method: 'PATCH', json: patchOp({ op: 'replace', path: 'shoeSize', value: 1 }) } },
    { name: 'a taken userName', status: 409, path: '/Users', init: { method: 'POST', json: { schemas: [USER_SCHEMA], userName: 'LOGGED@example.com' } } },
    { name: 'a stale If-Match', status: 412, path: () => `/Users/${userId}`, init: { method: 'PUT', json: { schemas: [USER_SCHEMA], userName: 'logged@example.com' }, headers: { 'If-Match': 'W/"999"' } } },
    { name: 'a body too large', status: 413, path: '/Groups', init: { method: 'POST', json: { schemas: [GROUP_SCHEMA], displayName: 'x'.repeat(2 * 1024 * 1024) } } },
    { name: 'another content type', status: 415, path: '/Users', init: { method: 'POST', body: 'userName=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } } },
    { name: 'no credentials', status: 401, path: '/Users', init: { token: null } },
  ];

  it.each(requests)('$name ($status): info and debug lines only, no stack', async ({ status, path, init }) => {
    const sent = await send(typeof path === 'string' ? path : path(), init);
    expect(sent.status).toBe(status);
    const lines = linesOf(sent.id);
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ level: 30, status });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines.filter((l) => l.err?.stack !== undefined)).toEqual([]);
  });
});

describe('a refusal the body parser raises', () => {
  it('names its scimType and reason on the request line (malformed JSON is invalidSyntax)', async () => {
    const sent = await send('/Users', { method: 'POST', body: '{"userName":', headers: { 'Content-Type': SCIM } });
    expect(sent.status).toBe(400);
    const line = linesOf(sent.id).find((l) => l.msg === 'request') as (LogLine & { scimType?: string; reason?: string }) | undefined;
    expect(line).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    expect(typeof line?.reason).toBe('string');
  });

  it('names the reason of a body too large (413)', async () => {
    const sent = await send('/Groups', { method: 'POST', json: { schemas: [GROUP_SCHEMA], displayName: 'x'.repeat(2 * 1024 * 1024) } });
    expect(sent.status).toBe(413);
    const line = linesOf(sent.id).find((l) => l.msg === 'request') as (LogLine & { reason?: string }) | undefined;
    expect(typeof line?.reason).toBe('string');
  });
});

describe('a real fault', () => {
  it('is still an error line with the stack of its cause', async () => {
    const broken = await startGateway({ logLevel: 'debug' });
    try {
      await broken.gateway.store.close(); // every store call now throws
      const res = await broken.call('/Users', { headers: { 'X-Request-Id': 'real-fault' } });
      expect(res.status).toBe(500);
      await res.arrayBuffer();
      await new Promise((r) => setImmediate(r));
      const lines = broken.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.reqId === 'real-fault');
      expect(lines.some((l) => l.level === 50 && l.err?.stack?.includes('store is closed'))).toBe(true);
      expect(lines.find((l) => l.msg === 'request')).toMatchObject({ level: 50, status: 500 });
    } finally {
      await broken.close().catch(() => undefined);
    }
  });
});
