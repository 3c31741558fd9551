/**
 * Group member changes at the sizes a large tenant sends: every add and remove gives exactly the right
 * member set, in order, whatever the list length. How long they take is measured by
 * `npm run bench:group-patch`, not here.
 */
import { describe, expect, it } from 'vitest';
import { entraDialect } from '../../src/dialect/entra.js';
import { applyPatch, type JsonObject, type PatchOperation } from '../../src/scim/patch.js';
import { GROUP_SCHEMA, SchemaRegistry } from '../../src/scim/schemas/registry.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ctx = { registry: new SchemaRegistry({}), type: 'Group' as const };
const N = 20_000;
const ids = Array.from({ length: N }, (_, i) => `user-${String(i).padStart(5, '0')}`);

const group = (members: readonly string[]): JsonObject => ({
  schemas: [GROUP_SCHEMA],
  id: 'g',
  displayName: 'Large',
  ...(members.length > 0 ? { members: members.map((value) => ({ value })) } : {}),
});
const memberIds = (resource: JsonObject): string[] => ((resource['members'] as JsonObject[] | undefined) ?? []).map((m) => m['value'] as string);
/** As the service runs it: the Entra dialect, then the engine. */
const entraPatch = (resource: JsonObject, ...Operations: unknown[]) =>
  applyPatch(resource, entraDialect.normalizePatch({ schemas: [PATCH_OP], Operations }, ctx), ctx);

describe('group PATCH with 20,000 members', () => {
  it('an Add of 20,000 (Entra, "$ref": null) lists each once, in the order sent', () => {
    const out = entraPatch(group([]), { op: 'Add', path: 'members', value: ids.map((value) => ({ $ref: null, value })) });
    expect(memberIds(out)).toEqual(ids);
  });

  it('an Add overlapping the members and itself adds only the new ids, once each', () => {
    const half = ids.slice(0, N / 2);
    const value = [...ids.slice(N / 4), ...ids.slice(N / 4, N / 2)].map((v) => ({ value: v }));
    const out = applyPatch(group(half), [{ op: 'add', path: 'members', value }], ctx);
    expect(memberIds(out)).toEqual(ids);
  });

  it('a member re-sent with another display is the same member (it keeps its place and first form)', () => {
    const out = applyPatch(group(ids), [{ op: 'add', path: 'members', value: [{ value: ids[7], display: 'Seven' }] }], ctx);
    expect(memberIds(out)).toEqual(ids);
    expect((out['members'] as JsonObject[])[7]).toEqual({ value: ids[7] });
  });

  it("Entra's Remove by value list of 10,000 keeps exactly the other 10,000, in order", () => {
    const removed = ids.filter((_, i) => i % 2 === 0);
    const out = entraPatch(group(ids), { op: 'Remove', path: 'members', value: removed.map((value) => ({ value })) });
    expect(memberIds(out)).toEqual(ids.filter((_, i) => i % 2 === 1));
  });

  it('Remove of every member by value list leaves the group without members', () => {
    const out = entraPatch(group(ids), { op: 'Remove', path: 'members', value: ids.map((value) => ({ value })) });
    expect(out['members']).toBeUndefined();
  });

  it('20,000 remove operations with members[value eq "…"] (aadOptscim062020) remove exactly those', () => {
    const ops: PatchOperation[] = ids.slice(0, N - 3).map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` }));
    expect(memberIds(applyPatch(group(ids), ops, ctx))).toEqual(ids.slice(N - 3));
  });

  it('removals by value follow the filter semantics: members.value is not caseExact; absent ids are no-ops', () => {
    const ops: PatchOperation[] = [
      { op: 'remove', path: `members[value eq "${ids[1]!.toUpperCase()}"]` },
      { op: 'remove', path: 'members[value eq "nobody"]' },
      { op: 'remove', path: `MEMBERS[VALUE EQ "${ids[2]}"]` },
    ];
    expect(memberIds(applyPatch(group(ids.slice(0, 4)), ops, ctx))).toEqual([ids[0], ids[3]]);
  });

  it('operations apply in order: an add between removals of the same id wins only until the next removal', () => {
    const ops: PatchOperation[] = [
      { op: 'remove', path: `members[value eq "${ids[0]}"]` },
      { op: 'add', path: 'members', value: [{ value: ids[0] }] },
      { op: 'remove', path: `members[value eq "${ids[1]}"]` },
      { op: 'add', path: 'members', value: [{ value: ids[5] }] },
      { op: 'remove', path: `members[value eq "${ids[5]}"]` },
    ];
    expect(memberIds(applyPatch(group(ids.slice(0, 3)), ops, ctx))).toEqual([ids[2], ids[0]]);
  });

  it('a removal with another filter among them still applies in its place', () => {
    const ops: PatchOperation[] = [
      { op: 'remove', path: `members[value eq "${ids[0]}"]` },
      { op: 'remove', path: `members[value sw "user-0000"]` },
      { op: 'remove', path: `members[value eq "${ids[12]}"]` },
    ];
    expect(memberIds(applyPatch(group(ids.slice(0, 13)), ops, ctx))).toEqual(ids.slice(10, 12));
  });
});
