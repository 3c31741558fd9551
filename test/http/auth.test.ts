/** Bearer secrets per app, and what never reaches a log. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patchOp, read, startGateway, TEST_TOKEN, USER_SCHEMA, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw.close();
});

describe('authentication', () => {
  const attempts: { name: string; headers: Record<string, string> }[] = [
    { name: 'no header', headers: {} },
    { name: 'empty bearer', headers: { Authorization: 'Bearer ' } },
    { name: 'wrong secret', headers: { Authorization: 'Bearer wrong-secret-wrong-secret' } },
    { name: 'one character changed', headers: { Authorization: `Bearer ${TEST_TOKEN.slice(0, -1)}X` } },
    { name: 'one character added', headers: { Authorization: `Bearer ${TEST_TOKEN}x` } },
    { name: 'one character removed', headers: { Authorization: `Bearer ${TEST_TOKEN.slice(0, -1)}` } },
    { name: 'Basic scheme', headers: { Authorization: `Basic ${Buffer.from(`x:${TEST_TOKEN}`).toString('base64')}` } },
    { name: 'token without scheme', headers: { Authorization: TEST_TOKEN } },
  ];
  it.each(attempts)('$name → 401 with WWW-Authenticate and a SCIM body', async ({ headers }) => {
    const res = await read(await gw.call('/Users', { token: null, headers }));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    expect(res.type).toMatch(/^application\/scim\+json/);
    expect(res.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401', detail: 'Authentication required' });
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

  it('the audit trail never holds the token either', async () => {
    const audit = await gw.gateway.store.readAudit('directory', 1000);
    expect(JSON.stringify(audit)).not.toContain(TEST_TOKEN);
  });
});
