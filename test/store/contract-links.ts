/**
 * Part of the store contract: downstream ids (the id map of REST connectors) and audit entries written in
 * the same transaction as the write they describe.
 */
import { describe, expect, it } from 'vitest';
import { storeErrorCode } from './store-error.js';
import { type AuditEntry, type JsonObject, type Store } from '../../src/store/types.js';

const user = (userName: string): JsonObject => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });

export function describeLinksContract(store: () => Store, newApp: () => string): void {
  describe('native ids', () => {
    it('are stored, returned, found, and kept by a replace that does not name one', async () => {
      const app = newApp();
      const made = await store().create(app, 'User', { data: user('a'), nativeId: '101' });
      expect(made.nativeId).toBe('101');
      expect((await store().get(app, 'User', made.id))?.nativeId).toBe('101');
      expect((await store().findByNativeId(app, 'User', '101'))?.id).toBe(made.id);
      const replaced = await store().replace(app, 'User', made.id, { data: user('a2') });
      expect(replaced.nativeId).toBe('101');
      expect((await store().get(app, 'User', made.id))?.nativeId).toBe('101');
      await store().replace(app, 'User', made.id, { data: user('a2'), nativeId: '202' });
      expect(await store().findByNativeId(app, 'User', '101')).toBeNull();
      expect((await store().findByNativeId(app, 'User', '202'))?.id).toBe(made.id);
    });

    it('are absent for resources without one, and unique per app and type only', async () => {
      const [app, other] = [newApp(), newApp()];
      const plain = await store().create(app, 'User', { data: user('plain') });
      expect(plain.nativeId).toBeUndefined();
      expect((await store().get(app, 'User', plain.id))?.nativeId).toBeUndefined();
      await store().create(app, 'User', { data: user('b'), nativeId: '7' });
      expect(await storeErrorCode(store().create(app, 'User', { data: user('c'), nativeId: '7' }))).toBe('conflict:nativeId');
      await store().create(other, 'User', { data: user('b'), nativeId: '7' });
      await store().create(app, 'Group', { data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G' }, nativeId: '7' });
      expect(await store().findByNativeId(app, 'User', 'nope')).toBeNull();
    });
  });

  describe('lookups by a unique field (id, userName)', () => {
    it('answer the total and honour offset, limit and withMembers', async () => {
      const app = newApp();
      const u = await store().create(app, 'User', { data: user('Solo@x') });
      const g = await store().create(app, 'Group', {
        data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G' },
        members: [{ value: u.id, raw: { value: u.id } }],
      });
      const byName = { op: 'eq', field: 'userName', value: 'solo@x' } as const;
      expect((await store().query(app, 'User', { condition: byName, offset: 0, limit: 10 })).records.map((r) => r.id)).toStrictEqual([u.id]);
      expect(await store().query(app, 'User', { condition: byName, offset: 1, limit: 10 })).toStrictEqual({ total: 1, records: [] });
      expect(await store().query(app, 'User', { condition: byName, offset: 0, limit: 0 })).toStrictEqual({ total: 1, records: [] });
      expect(await store().query(app, 'User', { condition: { ...byName, value: 'nobody' } })).toStrictEqual({ total: 0, records: [] });
      expect(await store().query(app, 'Group', { condition: { op: 'eq', field: 'id', value: u.id } })).toStrictEqual({ total: 0, records: [] });
      const group = await store().query(app, 'Group', { condition: { op: 'eq', field: 'id', value: g.id }, withMembers: true });
      expect(group.records[0]?.members).toStrictEqual([{ value: u.id, raw: { value: u.id } }]);
    });
  });

  describe('audit with the write', () => {
    const entry = (app: string, action: string, status: number): AuditEntry => ({ app, action, resourceType: 'User', status, requestId: 'r1' });

    it('commits the entry with the write; create fills in the new id', async () => {
      const app = newApp();
      const made = await store().create(app, 'User', { data: user('a') }, { audit: entry(app, 'create', 201) });
      await store().replace(app, 'User', made.id, { data: user('b') }, { audit: { ...entry(app, 'replace', 200), resourceId: made.id } });
      await store().delete(app, 'User', made.id, { audit: { ...entry(app, 'delete', 204), resourceId: made.id } });
      const audit = await store().readAudit(app, 10);
      expect(audit.map((a) => [a.action, a.resourceId, a.status, a.requestId])).toStrictEqual([
        ['delete', made.id, 204, 'r1'],
        ['replace', made.id, 200, 'r1'],
        ['create', made.id, 201, 'r1'],
      ]);
    });

    it('writes no entry when the write is refused', async () => {
      const app = newApp();
      await store().create(app, 'User', { data: user('taken') });
      expect(await storeErrorCode(store().create(app, 'User', { data: user('TAKEN') }, { audit: entry(app, 'create', 201) }))).toBe('conflict:userName');
      expect(await store().readAudit(app, 10)).toStrictEqual([]);
    });
  });
}
