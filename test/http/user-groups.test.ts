/**
 * A user's `groups` over real HTTP: read with the user when the answer shows them (issue 13), right in
 * every combination of `attributes` / `excludedAttributes`, on every read and on the answer to a write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_SCHEMA, patchOp, read, startGateway, USER_SCHEMA, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let member: string;
let loner: string;
let groups: { value: string; display: string }[];

beforeAll(async () => {
  gw = await startGateway();
  const create = async (path: string, json: object) => (await read(await gw.call(path, { method: 'POST', json }))).body.id as string;
  member = await create('/Users', { schemas: [USER_SCHEMA], userName: 'member@example.com', title: 'Engineer' });
  loner = await create('/Users', { schemas: [USER_SCHEMA], userName: 'loner@example.com' });
  const first = await create('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'First Group', members: [{ value: member }] });
  await new Promise((resolve) => setTimeout(resolve, 2));
  const second = await create('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Second Group', members: [{ value: member }] });
  groups = [
    { value: first, display: 'First Group' },
    { value: second, display: 'Second Group' },
  ];
});
afterAll(async () => {
  await gw.close();
});

const rendered = () => groups.map((g) => ({ ...g, $ref: `${gw.base}/Groups/${g.value}`, type: 'direct' }));

/** The user as each read shape answers it: by id, and by userName filter (a ListResponse of one). */
async function reads(id: string, userName: string, query: string) {
  const sep = query ? '&' : '';
  const byId = await read(await gw.call(`/Users/${id}${query ? `?${query}` : ''}`));
  const byFilter = await read(await gw.call(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}${sep}${query}`));
  expect(byId.status).toBe(200);
  expect(byFilter.status).toBe(200);
  expect(byFilter.body.Resources).toHaveLength(1);
  return [byId.body, byFilter.body.Resources[0]];
}

describe('a user\'s groups', () => {
  const cases: { query: string; shown: boolean; title: boolean }[] = [
    { query: '', shown: true, title: true },
    { query: 'attributes=groups', shown: true, title: false },
    { query: 'attributes=userName,groups.display', shown: true, title: false },
    { query: 'attributes=userName', shown: false, title: false },
    { query: 'excludedAttributes=groups', shown: false, title: true },
    { query: 'excludedAttributes=title', shown: true, title: false },
    { query: 'attributes=groups&excludedAttributes=groups', shown: false, title: false },
  ];
  for (const { query, shown, title } of cases) {
    it(`${query || 'no projection'}: groups ${shown ? 'shown' : 'left out'}`, async () => {
      for (const body of await reads(member, 'member@example.com', query)) {
        if (!shown) expect(body.groups).toBeUndefined();
        else if (query.includes('groups.display')) expect(body.groups).toEqual(groups.map((g) => ({ display: g.display })));
        else expect(body.groups).toEqual(rendered());
        expect(body.title === 'Engineer').toBe(title);
        expect(body.id).toBe(member);
      }
    });
  }

  it('a user in no group has none, asked or not', async () => {
    for (const query of ['', 'attributes=groups']) {
      for (const body of await reads(loner, 'loner@example.com', query)) expect(body.groups).toBeUndefined();
    }
  });

  it('the answer to a PATCH or PUT shows the groups the user is in', async () => {
    const patched = await read(await gw.call(`/Users/${member}`, { method: 'PATCH', json: patchOp({ op: 'replace', path: 'title', value: 'Lead' }) }));
    expect(patched.status).toBe(200);
    expect(patched.body.groups).toEqual(rendered());
    const unchanged = await read(await gw.call(`/Users/${member}`, { method: 'PATCH', json: patchOp({ op: 'replace', path: 'title', value: 'Lead' }) }));
    expect(unchanged.body.groups).toEqual(rendered());
    const put = await read(
      await gw.call(`/Users/${member}`, { method: 'PUT', json: { schemas: [USER_SCHEMA], userName: 'member@example.com', title: 'Engineer' } }),
    );
    expect(put.status).toBe(200);
    expect(put.body.groups).toEqual(rendered());
  });

  it('a list of many users shows each one\'s own groups', async () => {
    const all = await read(await gw.call('/Users?count=10'));
    const byId = new Map<string, unknown>(all.body.Resources.map((r: { id: string; groups?: unknown }) => [r.id, r.groups]));
    expect(byId.get(member)).toEqual(rendered());
    expect(byId.get(loner)).toBeUndefined();
  });
});
