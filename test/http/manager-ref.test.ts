/**
 * `manager` is a complex attribute whose `$ref` is readWrite (RFC 7643 §4.3): a client that writes
 * `{"value": id, "$ref": url}` reads back exactly that, by POST, PUT and PATCH. Only Entra's bare-string
 * manager is a dialect quirk (ENTRA #5), turned into `{"value": id}`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, patchOp, read, startGateway, USER_SCHEMA, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let boss = '';
let other = '';
beforeAll(async () => {
  gw = await startGateway();
  const create = async (userName: string) =>
    (await read(await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName } }))).body.id as string;
  boss = await create('boss@example.com');
  other = await create('other@example.com');
});
afterAll(async () => {
  await gw.close();
});

const ref = (id: string) => `${gw.base}/Users/${id}`;
const withManager = (userName: string, manager: unknown) => ({ schemas: [USER_SCHEMA, ENTERPRISE], userName, [ENTERPRISE]: { manager } });

describe('manager.$ref is kept as written', () => {
  it('POST', async () => {
    const created = await read(await gw.call('/Users', { method: 'POST', json: withManager('post@example.com', { value: boss, $ref: ref(boss) }) }));
    expect(created.status).toBe(201);
    expect(created.body[ENTERPRISE].manager).toEqual({ value: boss, $ref: ref(boss) });
    const again = await read(await gw.call(`/Users/${created.body.id}`));
    expect(again.body[ENTERPRISE].manager).toEqual({ value: boss, $ref: ref(boss) });
  });

  it('PUT', async () => {
    const { body } = await read(await gw.call('/Users', { method: 'POST', json: withManager('put@example.com', boss) }));
    expect(body[ENTERPRISE].manager).toEqual({ value: boss });
    const put = await read(await gw.call(`/Users/${body.id}`, { method: 'PUT', json: withManager('put@example.com', { value: other, $ref: ref(other) }) }));
    expect(put.status).toBe(200);
    expect(put.body[ENTERPRISE].manager).toEqual({ value: other, $ref: ref(other) });
  });

  it('PATCH with a path, without one, and with a one-element list', async () => {
    const { body } = await read(await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: 'patch@example.com' } }));
    const patch = async (op: object) => (await read(await gw.call(`/Users/${body.id}`, { method: 'PATCH', json: patchOp(op) }))).body;

    let user = await patch({ op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: boss, $ref: ref(boss) } });
    expect(user[ENTERPRISE].manager).toEqual({ value: boss, $ref: ref(boss) });
    user = await patch({ op: 'replace', value: { [ENTERPRISE]: { manager: { value: other, $ref: ref(other) } } } });
    expect(user[ENTERPRISE].manager).toEqual({ value: other, $ref: ref(other) });
    user = await patch({ op: 'Add', path: 'manager', value: [{ $ref: ref(boss), value: boss }] });
    expect(user[ENTERPRISE].manager).toEqual({ value: boss, $ref: ref(boss) });
    // Entra's forms stay as they were: a bare id, and "$ref": null, which is no reference at all.
    user = await patch({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: [{ $ref: null, value: other }] });
    expect(user[ENTERPRISE].manager).toEqual({ value: other });
    user = await patch({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: boss });
    expect(user[ENTERPRISE].manager).toEqual({ value: boss });
  });
});
