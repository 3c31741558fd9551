/**
 * `password` is `mutability: writeOnly, returned: never` (RFC 7643 §4.1.1, §7). A client may send it; it
 * never comes back in any response, whatever `attributes`/`excludedAttributes` ask, and it is not kept:
 * neither the SQLite file (WAL included) nor the log holds it. A rest app whose plugin maps it still
 * forwards it to the native API, on create and on change.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patchOp, read, startGateway, USER_SCHEMA, type TestGateway } from '../support/gateway.js';
import { startRig, type Rig } from './support.js';

const PASSWORDS = ['Pa55word-on-create-7f3a', 'Pa55word-on-put-91bc', 'Pa55word-on-patch-c4d2', 'Pa55word-pathless-e8a0'];

/** Every byte the store has on disk: the database file and its write-ahead log. */
function storeBytes(dataDir: string): string {
  return ['', '-wal', '-shm']
    .map((suffix) => join(dataDir, `scim-bridge.db${suffix}`))
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path).toString('latin1'))
    .join('');
}

function expectNoPassword(body: unknown): void {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/password/i);
  for (const p of PASSWORDS) expect(text).not.toContain(p);
}

describe('store connector: a password is taken, never returned, never kept', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('POST, GET, list, .search, PUT and PATCH answer without it; the database and the log do not hold it', async () => {
    const created = await read(
      await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: 'pw@example.com', password: PASSWORDS[0] } }),
    );
    expect(created.status).toBe(201);
    expectNoPassword(created.body);
    const id = created.body.id as string;

    for (const query of ['', '?attributes=password', '?attributes=userName,password', '?excludedAttributes=userName']) {
      const one = await read(await gw.call(`/Users/${id}${query}`));
      expect(one.status).toBe(200);
      expectNoPassword(one.body);
      const list = await read(await gw.call(`/Users${query || '?'}&filter=userName+eq+%22pw%40example.com%22`));
      expect(list.body.totalResults).toBe(1);
      expectNoPassword(list.body);
    }
    const search = await read(
      await gw.call('/Users/.search', {
        method: 'POST',
        json: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], attributes: ['password', 'userName'] },
      }),
    );
    expect(search.status).toBe(200);
    expectNoPassword(search.body);

    const put = await read(
      await gw.call(`/Users/${id}`, { method: 'PUT', json: { schemas: [USER_SCHEMA], userName: 'pw@example.com', password: PASSWORDS[1] } }),
    );
    expect(put.status).toBe(200);
    expectNoPassword(put.body);
    const patched = await read(await gw.call(`/Users/${id}`, { method: 'PATCH', json: patchOp({ op: 'replace', path: 'password', value: PASSWORDS[2] }) }));
    expect(patched.status).toBe(200);
    expectNoPassword(patched.body);
    const pathless = await read(
      await gw.call(`/Users/${id}?attributes=password`, { method: 'PATCH', json: patchOp({ op: 'replace', value: { password: PASSWORDS[3], title: 'x' } }) }),
    );
    expect(pathless.status).toBe(200);
    expectNoPassword(pathless.body);

    const disk = storeBytes(gw.dataDir);
    expect(disk).toContain('pw@example.com'); // the file read is the store's
    const logs = gw.logs.join('\n');
    for (const p of PASSWORDS) {
      expect(disk).not.toContain(p);
      expect(logs).not.toContain(p);
    }
  });
});

describe('rest connector: a password the plugin maps reaches the native API, and only there', () => {
  let rig: Rig;
  beforeAll(async () => {
    // 15Five's API has no password field; the emulator ignores unknown fields, as Django REST does.
    rig = await startRig('15five', { pluginEdits: [['    title: title\n    employee_id: enterprise.employeeNumber', '    title: title\n    password: password\n    employee_id: enterprise.employeeNumber']] });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('create and PATCH send it natively; responses, the database and the log never hold it', async () => {
    const { gw, emu } = rig;
    const body = { schemas: [USER_SCHEMA], userName: 'pw@acme.example', name: { givenName: 'Pat', familyName: 'Word' }, password: PASSWORDS[0] };
    const created = await read(await gw.call('/Users', { method: 'POST', json: body }));
    expect(created.status).toBe(201);
    expectNoPassword(created.body);
    const patched = await read(
      await gw.call(`/Users/${created.body.id}`, { method: 'PATCH', json: patchOp({ op: 'replace', path: 'password', value: PASSWORDS[2] }) }),
    );
    expect(patched.status).toBe(200);
    expectNoPassword(patched.body);
    expectNoPassword((await read(await gw.call(`/Users/${created.body.id}?attributes=password`))).body);

    const sent = emu.requests().filter((r) => r.method !== 'GET').map((r) => r.body);
    // The create goes to 15Five's bulk endpoint (an array of one); the change is a PUT of the user.
    expect(sent).toEqual([[expect.objectContaining({ email: 'pw@acme.example', password: PASSWORDS[0] })], expect.objectContaining({ password: PASSWORDS[2] })]);
    const disk = storeBytes(gw.dataDir);
    expect(disk).toContain('pw@acme.example');
    const logs = gw.logs.join('\n');
    for (const p of PASSWORDS) {
      expect(disk).not.toContain(p);
      expect(logs).not.toContain(p);
    }
  });
});
