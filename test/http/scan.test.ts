/**
 * Filters and sorts the store cannot answer with an index are examined in memory: bounded by
 * `server.maxScanCandidates` (more is 400 tooMany, before anything is read) and read in chunks. Entra's own
 * queries are never refused, and a scan over many chunks answers exactly what one pass would. (What scans
 * cost and how long they block others: `npm run bench:scan`.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenAdmin } from '../../src/admin/listen.js';
import { SCAN_CHUNK } from '../../src/service/scan.js';
import { ENTERPRISE, GROUP_SCHEMA, read, startGateway, USER_SCHEMA, type TestGateway } from '../support/gateway.js';

const BOUND = 50;
const MANY = SCAN_CHUNK * 2 + 37;
let bounded: TestGateway;
let wide: TestGateway;

const config = (server: string) =>
  [
    `server: ${server}`,
    'apps:',
    `  directory: { connector: store, auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN }] }, schemas: { User: [${ENTERPRISE}] } }`,
    '',
  ].join('\n');

/** Users straight into the store; every seventh has a title, and surnames repeat so sorts have ties. */
async function createUsers(gw: TestGateway, count: number): Promise<void> {
  for (let i = 0; i < count; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - i) }, (_, j) => {
        const n = i + j;
        const data = {
          schemas: [USER_SCHEMA],
          userName: `user${String(n).padStart(4, '0')}@example.com`,
          externalId: `ext-${n}`,
          name: { familyName: `F${n % 13}` },
          ...(n % 7 === 0 ? { title: `T${n % 5}` } : {}),
        };
        return gw.gateway.store.create('directory', 'User', { data });
      }),
    );
  }
}

const list = async (gw: TestGateway, query: Record<string, string>) => read(await gw.call(`/Users?${new URLSearchParams(query)}`));
/** Every user, in the store's own order (creation, then id) — what a list without sortBy answers in. */
const allUsers = async (gw: TestGateway) => (await gw.gateway.store.query('directory', 'User', {})).records;

beforeAll(async () => {
  [bounded, wide] = await Promise.all([startGateway({ configYaml: config(`{ maxScanCandidates: ${BOUND} }`) }), startGateway({ configYaml: config('{ maxResults: 2000 }') })]);
  await Promise.all([createUsers(bounded, BOUND + 10), createUsers(wide, MANY)]);
});

afterAll(async () => {
  await Promise.all([bounded?.close(), wide?.close()]);
});

describe(`server.maxScanCandidates (${BOUND} here, ${BOUND + 10} users)`, () => {
  const query = (q: Record<string, string>) => () => bounded.call(`/Users?${new URLSearchParams(q)}`);
  const refused: [string, () => Promise<Response>][] = [
    ['a filter on an attribute without an index', query({ filter: 'title eq "T0"' })],
    ['sortBy an attribute without an index', query({ sortBy: 'name.familyName' })],
    ['an indexed condition that leaves too many', query({ filter: 'userName sw "user00" and title pr' })],
    ['POST .search', () => bounded.call('/Users/.search', { method: 'POST', json: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'title pr' } })],
  ];
  it.each(refused)('%s: 400 tooMany, saying what to do', async (_name, send) => {
    const res = await read(await send());
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: '400', scimType: 'tooMany' });
    expect(res.body.detail).toContain(`${BOUND + 10} User resources`);
    expect(res.body.detail).toContain('indexed attribute');
  });

  it('an indexed condition that leaves few enough is examined and answered', async () => {
    const res = await list(bounded, { filter: 'userName sw "user001" and title pr' });
    expect(res.status).toBe(200);
    expect(res.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['user0014@example.com']);
  });

  it("Entra's queries are answered whatever the bound", async () => {
    const users = await allUsers(bounded);
    const first = users[0];
    const titled = users.find((r) => r.data['title'] !== undefined);
    const entra: [Record<string, string>, number][] = [
      [{ filter: 'userName eq "user0003@example.com"' }, 1],
      [{ filter: 'externalId eq "ext-4"' }, 1],
      [{ filter: 'userName eq "00000000-0000-0000-0000-000000000000"' }, 0], // Test Connection
      [{ filter: `id eq "${first!.id}" and manager eq "nobody"`, attributes: 'id' }, 0], // before a manager update
      [{ filter: `id eq "${titled!.id}" and title pr` }, 1],
    ];
    for (const [query, total] of entra) {
      const res = await list(bounded, query);
      expect([res.status, res.body.totalResults], JSON.stringify(query)).toEqual([200, total]);
    }
    const group = await read(await bounded.call('/Groups', { method: 'POST', json: { schemas: [GROUP_SCHEMA], displayName: 'Crew', members: [{ value: first!.id }] } }));
    const members = await read(await bounded.call(`/Groups?${new URLSearchParams({ filter: `id eq "${group.body.id}" and members eq "${first!.id}"`, excludedAttributes: 'members' })}`));
    expect([members.status, members.body.totalResults]).toEqual([200, 1]);
    const byName = await read(await bounded.call(`/Groups?${new URLSearchParams({ filter: 'displayName eq "Crew"', excludedAttributes: 'members' })}`));
    expect([byName.status, byName.body.totalResults]).toEqual([200, 1]);
  });
});

describe(`a scan over ${MANY} users, several chunks of ${SCAN_CHUNK}`, () => {
  it('a filter answers every match once, in creation order, with the right total and pages', async () => {
    const expected = (await allUsers(wide)).filter((r) => r.data['title'] === 'T0').map((r) => r.id);
    expect(expected.length).toBeGreaterThan(5);
    const all = await list(wide, { filter: 'title eq "T0"', count: '2000' });
    expect(all.body.totalResults).toBe(expected.length);
    expect(all.body.Resources.map((r: { id: string }) => r.id)).toEqual(expected);
    const page = await list(wide, { filter: 'title eq "T0"', startIndex: '3', count: '2' });
    expect([page.body.totalResults, page.body.startIndex, page.body.itemsPerPage]).toEqual([expected.length, 3, 2]);
    expect(page.body.Resources.map((r: { id: string }) => r.id)).toEqual(expected.slice(2, 4));
  });

  it('sortBy on an attribute without an index orders every user, ties in creation order', async () => {
    const users = await allUsers(wide);
    const key = (r: (typeof users)[number]) => String((r.data['name'] as { familyName: string }).familyName).toLowerCase();
    const expected = users
      .map((r, i) => ({ id: r.id, k: key(r), i }))
      .sort((a, b) => (a.k < b.k ? 1 : a.k > b.k ? -1 : a.i - b.i))
      .map((e) => e.id);
    const res = await list(wide, { sortBy: 'name.familyName', sortOrder: 'descending', count: '2000', attributes: 'id' });
    expect(res.body.totalResults).toBe(MANY);
    expect(res.body.Resources.map((r: { id: string }) => r.id)).toEqual(expected);
  });

  it("each chunk reads its users' groups with it: no groupsOf lookup of its own, and the groups are shown", async () => {
    const users = await allUsers(wide);
    const titled = users.filter((r) => r.data['title'] === 'T0');
    const group = await read(await wide.call('/Groups', { method: 'POST', json: { schemas: [GROUP_SCHEMA], displayName: 'Scanned', members: [{ value: titled[0]!.id }] } }));
    const admin = await listenAdmin(wide.gateway.admin, '127.0.0.1:0');
    try {
      const lookups = async () => {
        const metrics = await (await fetch(`http://127.0.0.1:${admin.port}/metrics`)).text();
        const line = metrics.split('\n').find((l) => l.startsWith('scim_bridge_store_operation_duration_seconds_count{operation="groupsOf",outcome="ok"}'));
        return line === undefined ? 0 : Number(line.split(' ').at(-1));
      };
      const before = await lookups();
      const all = await list(wide, { filter: 'title eq "T0"', count: '2000' });
      expect(all.body.totalResults).toBe(titled.length);
      expect(all.body.Resources[0].groups.map((g: { value: string }) => g.value)).toEqual([group.body.id]);
      expect(await lookups()).toBe(before);
    } finally {
      await admin.close();
    }
  });
});
