/**
 * `users.operations.list` in each bundled plugin, against its emulator: every native user is listed
 * (paged where the API pages: 15Five's next links, Personio's offset/limit), each seen through the
 * plugin's mapping with its adoption key; a user written through the connector compares equal; a native
 * change shows as a field difference. And the plugin format's checks of a list declaration.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { NativeRecord, Reconcilable } from '../../src/connectors/types.js';
import { pino } from 'pino';
import { createRestConnector } from '../../src/connectors/rest/index.js';
import { loadPlugin } from '../../src/plugins/index.js';
import type { JsonObject } from '../../src/store/types.js';
import { editedPlugins } from '../e2e/support.js';
import { startRig, USER, type Rig } from '../connectors/rest/support.js';
import type { EmulatorKind } from '../emulators/index.js';

const person = (n: number): JsonObject => ({
  schemas: [USER],
  userName: `p${n}@acme.example`,
  name: { givenName: `P${n}`, familyName: 'Person' },
  emails: [{ type: 'work', value: `p${n}@acme.example`, primary: true }],
  title: 'Engineer',
});

async function listAll(rec: Reconcilable, rig: Rig): Promise<{ records: NativeRecord[]; pages: number }> {
  const records: NativeRecord[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await rec.listPage('User', cursor, rig.ids);
    records.push(...page.records);
    cursor = page.next;
    pages += 1;
  } while (cursor !== undefined);
  return { records, pages };
}

/** Native edits by each API's own update, as someone editing in the app would make them. */
const NATIVE_TITLE: Record<EmulatorKind, { field: string }> = {
  '15five': { field: 'title' },
  bamboohr: { field: 'jobTitle' },
  hibob: { field: 'work.title' },
  personio: { field: 'position' },
  '15five-scim': { field: 'title' },
};

describe.each<[EmulatorKind, { edits?: [string, string][]; pages: number }]>([
  ['15five', { pages: 1 }],
  ['bamboohr', { pages: 1 }],
  ['hibob', { pages: 1 }],
  // Two a page, so three users take two pages and a third, empty one (offset paging stops on a short page).
  ['personio', { edits: [['pageSize: 100', 'pageSize: 2']], pages: 2 }],
])('the %s plugin lists its users', (kind, { edits, pages }) => {
  let rig: Rig;
  let dir: string | undefined;
  afterAll(async () => {
    await rig?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every user once, mapped, with its adoption key; equal to what was written; a native edit is a difference', async () => {
    if (edits) {
      dir = editedPlugins(kind, edits);
      const { plugin, problems } = loadPlugin(dir, kind);
      expect(problems).toEqual([]);
      rig = await startRig(kind, { plugin: plugin! });
    } else {
      rig = await startRig(kind);
    }
    const rec = rig.connector.reconcile!;
    expect(rec).toBeDefined();
    const written = new Map<string, JsonObject>();
    for (const n of [1, 2, 3]) written.set((await rig.connector.create('User', person(n), rig.ids)).nativeId!, person(n));

    const { records, pages: listed } = await listAll(rec, rig);
    expect(listed).toBe(pages);
    expect(records.map((r) => r.nativeId).sort()).toEqual([...written.keys()].sort());
    for (const record of records) {
      const scim = written.get(record.nativeId)!;
      expect(record.matchValue).toBe(scim.userName);
      expect(record.resource).toMatchObject({ userName: scim.userName, name: scim.name, title: 'Engineer' });
      expect(await rec.differences('User', record, scim, rig.ids)).toEqual([]);
    }

    // The record seen with another title differs in exactly that native field (native vs gateway values).
    const [nativeId, scim] = [...written.entries()][0]!;
    const changed = await rec.readNative('User', nativeId, rig.ids);
    const edited: NativeRecord = { ...changed!, resource: { ...changed!.resource, title: 'Head of Sales' } };
    expect(await rec.differences('User', edited, scim, rig.ids)).toEqual([{ field: NATIVE_TITLE[kind].field, native: 'Head of Sales', gateway: 'Engineer' }]);
    // A native id the API does not know reads as gone.
    expect(await rec.readNative('User', kind === 'hibob' ? 'no-such-person' : '987654', rig.ids)).toBeNull();
  });
});

describe('the plugin format checks a list declaration', () => {
  const LIST = '    list:\n      method: GET\n      path: /company/employees\n      results: data\n      fields: *employee\n';
  const loaded = (edits: [string, string][]) => {
    const dir = editedPlugins('personio', edits);
    try {
      return loadPlugin(dir, 'personio');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('a read side that does not give the id, or a paging style it does not know, is refused at load', () => {
    const noId = loaded([[LIST, LIST.replace('*employee', '{ email: attributes.email.value }')]]).problems.join('\n');
    expect(noId).toContain('users.operations.list.fields');
    expect(noId).toContain('"id" is read from every listed record, but operations.list.fields does not provide it');
    expect(loaded([['style: offset, offset: offset', 'style: sideways, offset: offset']]).problems.join('\n')).toContain('users.operations.list.paging');
  });

  it('is optional: a plugin without one loads, and its connector offers no reconcile', async () => {
    const { plugin, problems } = loaded([[LIST + '      paging: { style: offset, offset: offset, limit: limit, pageSize: 100 }\n      total: metadata.total_elements\n', '']]);
    expect(problems).toEqual([]);
    expect(plugin!.users.operations.list).toBeUndefined();
    const connector = createRestConnector(plugin!, { baseUrl: 'http://127.0.0.1:9', credentials: { clientId: 'x', clientSecret: 'y' } }, { log: pino({ level: 'silent' }) });
    expect(connector.reconcile).toBeUndefined();
    await connector.close();
  });
});
