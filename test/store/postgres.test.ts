import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { createTestSchema, withAdminClient } from '../support/postgres.js';
import { runStoreContract } from './contract.js';

const contractSchema = await createTestSchema();
runStoreContract(
  'postgres',
  () => openStore({ kind: 'postgres', url: contractSchema.url, schema: contractSchema.schema, poolSize: 4 }),
  () => contractSchema.drop(),
);

describe('postgres: a member change writes only what changed', () => {
  it('adding one member to a group of 200 leaves every other membership row untouched', async () => {
    const store = await openStore({ kind: 'postgres', url: contractSchema.url, schema: contractSchema.schema, poolSize: 2 });
    const app = `app-${randomUUID()}`;
    const user = (n: number) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `u${n}@example.com` });
    const ids: string[] = [];
    for (let i = 0; i < 201; i++) ids.push((await store.create(app, 'User', { data: user(i) })).id);
    const members = (n: number) => ids.slice(0, n).map((value) => ({ value, raw: { value } }));
    const group = await store.create(app, 'Group', { data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'g' }, members: members(200) });
    // A row's physical location (ctid) changes when the row is written again.
    const rows = () =>
      withAdminClient(async (c) => {
        const found = await c.query<{ member_id: string; ctid: string }>(`SELECT member_id, ctid::text FROM "${contractSchema.schema}".memberships WHERE app = $1 AND group_id = $2`, [app, group.id]);
        return new Map(found.rows.map((r) => [r.member_id, r.ctid]));
      });
    const before = await rows();
    const replaced = await store.replace(app, 'Group', group.id, { data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'g' }, members: members(201) });
    expect(replaced.members).toHaveLength(201);
    const after = await rows();
    expect(after.size).toBe(201);
    expect([...before].filter(([id, ctid]) => after.get(id) !== ctid)).toStrictEqual([]);
    await store.close();
  });
});
