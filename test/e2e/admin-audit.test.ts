/**
 * Operating a rest app (15Five emulator, real gateway, real SQLite file): one request id from Entra's
 * X-Request-Id to the native request's header, the native-call log lines and every audit row; "what
 * happened to ada@acme.example" — deleted, then asked by the admin listener and by the CLI; Prometheus
 * metrics with bounded labels on the admin listener; log hygiene.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenAdmin, type AdminListener } from '../../src/admin/listen.js';
import type { Timeline } from '../../src/audit/timeline.js';
import { patchOp, read, USER_SCHEMA } from '../support/gateway.js';
import { PLUGINS_DIR, startRig, type Rig } from './support.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ADA = 'ada@acme.example';

describe('operations on the 15five app', () => {
  let rig: Rig;
  let admin: AdminListener;
  let adminUrl: string;
  let id: string;
  let nativeId: string;

  beforeAll(async () => {
    rig = await startRig('15five');
    admin = await listenAdmin(rig.gw.gateway.admin, '127.0.0.1:0');
    adminUrl = `http://127.0.0.1:${admin.port}`;
    const created = await read(
      await rig.gw.call('/Users', {
        method: 'POST',
        headers: { 'X-Request-Id': 'req-create-1' },
        json: { schemas: [USER_SCHEMA], userName: ADA, name: { givenName: 'Ada', familyName: 'Lovelace' }, emails: [{ value: ADA, type: 'work', primary: true }] },
      }),
    );
    expect(created.status).toBe(201);
    id = created.body.id;
    nativeId = String(rig.emu.users().find((u) => u.email === ADA)!.id);
    const patched = await rig.gw.call(`/Users/${id}`, { method: 'PATCH', headers: { 'X-Request-Id': 'req-patch-1' }, json: patchOp({ op: 'Replace', path: 'title', value: 'Countess' }) });
    expect(patched.status).toBe(200);
    expect((await rig.gw.call(`/Users/${id}`, { method: 'DELETE', headers: { 'X-Request-Id': 'req-delete-1' } })).status).toBe(204);
  });
  afterAll(async () => {
    await admin?.close();
    await rig?.close();
  });

  const lines = () => rig.gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>);

  it('sends the request id to the native API and puts it on the request line and every native-call line', () => {
    const creates = rig.emu.requests().filter((r) => r.method === 'POST');
    expect(creates.length).toBeGreaterThan(0);
    for (const r of creates) expect(r.headers['x-request-id']).toBe('req-create-1');
    const patchCalls = rig.emu.requests().filter((r) => r.method === 'PUT' || r.method === 'PATCH');
    expect(patchCalls.map((r) => r.headers['x-request-id'])).toContain('req-patch-1');
    const requestLine = lines().find((l) => l.msg === 'request' && l.method === 'POST');
    expect(requestLine).toMatchObject({ reqId: 'req-create-1', app: '15five', status: 201 });
    // Every line written while a request was served names it (here: adoption decisions, at info).
    const decisions = lines().filter((l) => typeof l.msg === 'string' && (l.msg as string).includes('decision'));
    expect(decisions.length).toBeGreaterThan(0);
    for (const l of decisions) expect(['req-create-1', 'req-patch-1', 'req-delete-1']).toContain(l.reqId);
  });

  it('writes no key twice on a line (a child logger\'s "plugin" and the line\'s own)', () => {
    for (const raw of rig.gw.logs) {
      const keys = [...raw.matchAll(/[{,]"([A-Za-z_]+)":/g)].map((m) => m[1]);
      const top = keys.filter((k, i) => keys.indexOf(k) !== i && ['plugin', 'app', 'reqId', 'msg', 'level'].includes(k!));
      expect(top, raw).toStrictEqual([]);
    }
  });

  it("answers GET /admin/audit with the deleted user's timeline: each request, its native calls, its result", async () => {
    const res = await fetch(`${adminUrl}/admin/audit?app=15five&user=${encodeURIComponent('ADA@Acme.example')}`);
    expect(res.status).toBe(200);
    const timeline = (await res.json()) as Timeline;
    expect(timeline.entries.map((e) => [e.requestId, e.operation, e.result?.status, e.result?.outcome])).toStrictEqual([
      ['req-create-1', 'create', 201, 'ok'],
      ['req-patch-1', 'patch', 200, 'ok'],
      ['req-delete-1', 'delete', 204, 'ok'],
    ]);
    for (const entry of timeline.entries) expect(entry).toMatchObject({ resourceType: 'User', resourceId: id, resourceName: ADA, nativeId });
    const [create, patch, del] = timeline.entries;
    expect(create!.steps.map((s) => s.action)).toContain('native users.create');
    expect(create!.steps.every((s) => s.status > 0 && s.outcome !== undefined)).toBe(true);
    expect(patch!.steps.map((s) => s.action)).toContain('native users.update');
    expect(del!.steps.length).toBeGreaterThan(0);
    // The same by SCIM id; a bad query is a 400 that says why.
    const byId = (await (await fetch(`${adminUrl}/admin/audit?app=15five&resource=${id}`)).json()) as Timeline;
    expect(byId.entries.map((e) => e.requestId)).toStrictEqual(['req-create-1', 'req-patch-1', 'req-delete-1']);
    const bad = await fetch(`${adminUrl}/admin/audit?app=15five&user=x&since=yesterday`);
    expect([bad.status, ((await bad.json()) as { detail: string }).detail]).toStrictEqual([400, expect.stringContaining('since')]);
    expect((await fetch(`${adminUrl}/admin/audit?app=nope&user=x`)).status).toBe(400);
  });

  it('scim-bridge audit prints the same timeline from the store, as text and as JSON', () => {
    const env = { PATH: process.env.PATH ?? '', SCIM_BRIDGE_DATA_DIR: rig.gw.dataDir, SCIM_BRIDGE_PLUGINS_DIR: PLUGINS_DIR };
    const config = join(rig.gw.dataDir, 'gateway.yaml');
    const run = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/src/cli.js'), 'audit', '--config', config, ...args], { cwd: ROOT, env, encoding: 'utf8' });
    const text = run('--app', '15five', '--user', ADA, '--since', '1d');
    expect([text.status, text.stderr]).toStrictEqual([0, '']);
    const created = text.stdout.split('\n').find((l) => l.includes('[request req-create-1]'));
    expect(created).toMatch(new RegExp(`create User ${id} "${ADA}" native ${nativeId} → 201 ok`));
    expect(text.stdout).toMatch(/\n {4}\S+ {2}native users\.create → 2\d\d ok/);
    expect(text.stdout).toContain('delete User');
    const json = run('--app', '15five', '--user', ADA, '--json');
    expect(json.status).toBe(0);
    expect((JSON.parse(json.stdout) as Timeline).entries.map((e) => e.operation)).toStrictEqual(['create', 'patch', 'delete']);
    expect(run('--app', '15five', '--user', 'nobody@acme.example').stdout).toBe('app 15five: nothing recorded for nobody@acme.example\n');
    const usage = run('--app', '15five');
    expect([usage.status, usage.stderr]).toStrictEqual([2, expect.stringContaining('give --app and --user')]);
  });

  it('serves Prometheus metrics on the admin listener only, with bounded labels', async () => {
    // A refused credential and a bad filter, to be counted.
    expect((await rig.gw.call('/Users', { token: 'not-the-secret-0123456789' })).status).toBe(401);
    const badFilter = await rig.gw.call(`/Users?filter=${encodeURIComponent(`userName zz "${ADA}"`)}`);
    expect(badFilter.status).toBe(400);
    const res = await fetch(`${adminUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"|.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('scim_bridge_http_request_duration_seconds_count{app="15five",method="POST",status_class="2xx"}')).toBe(1);
    expect(value('scim_bridge_http_request_duration_seconds_count{app="15five",method="DELETE",status_class="2xx"}')).toBe(1);
    expect(value('scim_bridge_http_request_duration_seconds_count{app="15five",method="GET",status_class="4xx"}')).toBe(1);
    expect(value('scim_bridge_http_request_duration_seconds_count{app="none",method="GET",status_class="4xx"}')).toBe(1);
    expect(value('scim_bridge_auth_failures_total{app="15five",reason="secret_mismatch"}')).toBe(1);
    expect(value('scim_bridge_native_call_duration_seconds_count{app="15five",operation="users.create",outcome="ok"}')).toBe(1);
    expect(value('scim_bridge_native_rate_wait_seconds_count{app="15five"}')).toBeGreaterThanOrEqual(3);
    expect(value('scim_bridge_store_operation_duration_seconds_count{operation="create",outcome="ok"}')).toBe(1);
    expect(text).toMatch(/^scim_bridge_process_cpu_seconds_total \d/m);
    // Nothing that names a person or a resource in any label.
    for (const banned of [ADA, id, nativeId === '1' ? 'no-native-id' : nativeId, 'req-create-1']) expect(text).not.toContain(`"${banned}"`);
    // The SCIM port has no /metrics.
    expect((await fetch(`${rig.gw.origin}/metrics`)).status).toBe(404);
  });

  it("logs a 4xx's reason at info on its request line, without the filter's value", () => {
    const refused = lines().find((l) => l.msg === 'request' && l.status === 400);
    expect(refused).toMatchObject({ level: 30, scimType: 'invalidFilter' });
    expect(typeof refused!.reason).toBe('string');
    expect(JSON.stringify(refused)).not.toContain(ADA);
  });

  it('logs an expected downstream failure without a stack or an error line, and audits it as failed', async () => {
    rig.emu.setFaults({ failNext: { count: 20, with: '503' }, retryAfterSeconds: 0 });
    const res = await rig.gw.call('/Users', {
      method: 'POST',
      headers: { 'X-Request-Id': 'req-outage-1' },
      json: { schemas: [USER_SCHEMA], userName: 'grace@acme.example', name: { givenName: 'Grace', familyName: 'Hopper' }, emails: [{ value: 'grace@acme.example', type: 'work', primary: true }] },
    });
    rig.emu.setFaults({});
    expect(res.status).toBe(503);
    const mine = rig.gw.logs.filter((raw) => raw.includes('req-outage-1'));
    expect(mine.length).toBeGreaterThan(0);
    for (const raw of mine) {
      expect(raw).not.toContain('"stack"');
      expect((JSON.parse(raw) as { level: number }).level).toBeLessThan(50);
    }
    const timeline = (await (await fetch(`${adminUrl}/admin/audit?app=15five&user=grace@acme.example`)).json()) as Timeline;
    expect(timeline.entries.map((e) => [e.requestId, e.operation, e.result?.status, e.result?.outcome])).toStrictEqual([['req-outage-1', 'create', 503, 'failed']]);
    expect(timeline.entries[0]!.steps.some((s) => s.status === 503 && s.outcome === 'retry')).toBe(true);
  });
});
