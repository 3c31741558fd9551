/**
 * Large groups over real HTTP, store included: 20,000 members added and removed the way Entra sends them
 * end with exactly the right set; a request carrying more members than `server.maxMembersPerRequest` is
 * refused before any work, whatever form the members take. (What they cost: `npm run bench:group-patch`.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_SCHEMA, patchOp, read, startGateway, USER_SCHEMA, type TestGateway } from '../support/gateway.js';

const N = 20_000;
const BOUND = 5;
let large: TestGateway;
let bounded: TestGateway;
let ids: string[];

const config = (server: string) =>
  [
    `server: ${server}`,
    'apps:',
    '  directory: { connector: store, auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN }] } }',
    '',
  ].join('\n');

/** Users straight into the store (their creation is not what is tested), in batches that share commits. */
async function createUsers(gw: TestGateway, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - i) }, (_, j) =>
      gw.gateway.store.create('directory', 'User', { data: { schemas: [USER_SCHEMA], userName: `member${i + j}@example.com` } }),
    );
    out.push(...(await Promise.all(batch)).map((r) => r.id));
  }
  return out;
}

async function createGroup(gw: TestGateway, displayName: string, members: string[] = []): Promise<string> {
  const res = await read(await gw.call('/Groups', { method: 'POST', json: { schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) } }));
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function memberIds(gw: TestGateway, group: string): Promise<string[]> {
  const res = await read(await gw.call(`/Groups/${group}?attributes=members`));
  expect(res.status).toBe(200);
  return ((res.body.members ?? []) as { value: string }[]).map((m) => m.value);
}

beforeAll(async () => {
  [large, bounded] = await Promise.all([
    startGateway({ configYaml: config(`{ bodyLimitBytes: 8388608, maxMembersPerRequest: ${N} }`) }),
    startGateway({ configYaml: config(`{ maxMembersPerRequest: ${BOUND} }`) }),
  ]);
  ids = await createUsers(large, N);
}, 120_000);

afterAll(async () => {
  await Promise.all([large?.close(), bounded?.close()]);
});

describe('a group of 20,000 members, changed the way Entra changes it', () => {
  it('one Add of 20,000, then a Remove of 10,000 by value list, then adds and removes by filter: exactly the right set', async () => {
    const group = await createGroup(large, 'Everyone');
    const add = patchOp({ op: 'Add', path: 'members', value: ids.map((value) => ({ $ref: null, value })) });
    expect((await large.call(`/Groups/${group}`, { method: 'PATCH', json: add })).status).toBe(204);
    expect(await memberIds(large, group)).toEqual(ids);

    const removed = ids.filter((_, i) => i % 2 === 0);
    const remove = patchOp({ op: 'Remove', path: 'members', value: removed.map((value) => ({ value })) });
    expect((await large.call(`/Groups/${group}`, { method: 'PATCH', json: remove })).status).toBe(204);
    const odd = ids.filter((_, i) => i % 2 === 1);
    expect(await memberIds(large, group)).toEqual(odd);

    // aadOptscim062020: one members[value eq] per removal; an Add that repeats members adds only the new.
    const byFilter = odd.slice(0, 1000).map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` }));
    expect((await large.call(`/Groups/${group}`, { method: 'PATCH', json: patchOp(...byFilter) })).status).toBe(204);
    const readd = patchOp({ op: 'add', path: 'members', value: [...odd.slice(900, 1100), ...removed.slice(0, 10)].map((value) => ({ value })) });
    expect((await large.call(`/Groups/${group}`, { method: 'PATCH', json: readd })).status).toBe(204);
    expect(await memberIds(large, group)).toEqual([...odd.slice(1000), ...odd.slice(900, 1000), ...removed.slice(0, 10)]);

    // The users' side of the same memberships.
    const user = await read(await large.call(`/Users/${removed[3]}?attributes=groups`));
    expect(user.body.groups).toEqual([expect.objectContaining({ value: group })]);
    expect((await read(await large.call(`/Users/${removed[11]}?attributes=groups`))).body.groups).toBeUndefined();
  }, 120_000);
});

describe(`server.maxMembersPerRequest (${BOUND} here)`, () => {
  let users: string[];
  beforeAll(async () => {
    users = await createUsers(bounded, BOUND + 1);
  });
  const list = (n: number) => users.slice(0, n).map((value) => ({ value }));
  const forms: { name: string; body: (n: number) => unknown }[] = [
    { name: 'Add with a value list', body: (n) => patchOp({ op: 'Add', path: 'members', value: list(n) }) },
    { name: 'Remove with a value list (Entra)', body: (n) => patchOp({ op: 'Remove', path: 'members', value: list(n) }) },
    { name: 'one members[value eq] removal each', body: (n) => patchOp(...list(n).map((m) => ({ op: 'remove', path: `members[value eq "${m.value}"]` }))) },
    { name: 'replace of the whole list', body: (n) => patchOp({ op: 'replace', path: 'members', value: list(n) }) },
    { name: 'path-less replace', body: (n) => patchOp({ op: 'replace', value: { displayName: 'x', members: list(n) } }) },
    { name: 'URN-qualified path', body: (n) => patchOp({ op: 'add', path: `${GROUP_SCHEMA}:members`, value: list(n) }) },
    { name: 'several operations together', body: (n) => patchOp({ op: 'add', path: 'members', value: list(n).slice(0, 2) }, { op: 'add', path: 'MEMBERS', value: list(n).slice(2) }) },
  ];

  it.each(forms)('PATCH, $name: the bound passes, one more is 400 invalidValue and changes nothing', async ({ body }) => {
    const group = await createGroup(bounded, `g-${Math.random()}`);
    const before = await read(await bounded.call(`/Groups/${group}`));
    const refused = await read(await bounded.call(`/Groups/${group}`, { method: 'PATCH', json: body(BOUND + 1) }));
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(refused.body.detail).toContain(`at most ${BOUND}`);
    expect((await read(await bounded.call(`/Groups/${group}`))).headers.get('etag')).toBe(before.headers.get('etag'));
    const accepted = await bounded.call(`/Groups/${group}`, { method: 'PATCH', json: body(BOUND) });
    expect(accepted.status).toBe(204);
  });

  it('POST and PUT: the bound passes, one more is 400 invalidValue', async () => {
    const body = (n: number, displayName: string) => ({ schemas: [GROUP_SCHEMA], displayName, members: list(n) });
    const post = await read(await bounded.call('/Groups', { method: 'POST', json: body(BOUND + 1, 'too many') }));
    expect([post.status, post.body.scimType]).toEqual([400, 'invalidValue']);
    const group = await createGroup(bounded, 'just enough', users.slice(0, BOUND));
    const put = await read(await bounded.call(`/Groups/${group}`, { method: 'PUT', json: body(BOUND + 1, 'just enough') }));
    expect([put.status, put.body.scimType]).toEqual([400, 'invalidValue']);
    expect((await bounded.call(`/Groups/${group}`, { method: 'PUT', json: body(BOUND, 'just enough') })).status).toBe(200);
  });

  it('users are not counted: a user PATCH with many operations is not a group request', async () => {
    const ops = Array.from({ length: BOUND + 1 }, (_, i) => ({ op: 'replace', path: 'title', value: `t${i}` }));
    expect((await bounded.call(`/Users/${users[0]}`, { method: 'PATCH', json: patchOp(...ops) })).status).toBe(200);
  });
});
