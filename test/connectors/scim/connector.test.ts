/**
 * The scim connector against a scripted client: a create whose answer was lost is looked up by the key
 * the app received (after normalization); a joining member without a record in the app is refused.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DownstreamError, type NativeClient, type NativeRequest, type NativeResponse } from '../../../src/connectors/http/types.js';
import { ScimConnector } from '../../../src/connectors/scim/connector.js';
import { DEFAULT_SCIM_PLUGIN } from '../../../src/connectors/scim/plugin.js';
import type { ConnectorContext } from '../../../src/connectors/types.js';
import { batchedNativeIds } from '../../../src/service/native-ids.js';
import { compileNormalizer, normalizeSection, type NormalizeInput } from '../../../src/normalize/index.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

const answer = (status: number, body?: unknown): NativeResponse => ({ status, headers: {}, body, durationMs: 1 });

function rig(script: (req: NativeRequest) => NativeResponse, normalize: unknown = {}, ids: Record<string, string> = {}) {
  const sent: NativeRequest[] = [];
  const client = {
    request: async (req: NativeRequest) => {
      sent.push(req);
      return script(req);
    },
    close: async () => undefined,
  } as unknown as NativeClient;
  const problems: string[] = [];
  const normalizer = compileNormalizer(normalizeSection.parse(normalize) as NormalizeInput, 'apps.x.normalize', problems)!;
  const connector = new ScimConnector(DEFAULT_SCIM_PLUGIN, normalizer, client, pino({ level: 'silent' }));
  const ctx: ConnectorContext = {
    nativeIdOf: async (_t, id) => ids[id],
    scimIdOf: async () => undefined,
    groupsOf: async () => [],
  };
  return { connector, ctx, sent };
}

describe('scim connector', () => {
  it('a create whose answer was lost is looked up by the userName the app received, normalized', async () => {
    let posts = 0;
    const { connector, ctx, sent } = rig(
      (req) => {
        if (req.method === 'POST' && posts++ === 0) throw new DownstreamError('timeout', 'timed out', { operation: req.operation });
        if (req.method === 'GET') return answer(200, { totalResults: 1, Resources: [{ id: 'n1', userName: 'ada@acme.example' }] });
        return answer(200, { id: 'n1' });
      },
      { values: [{ path: 'userName', case: 'lower' }] },
    );
    const out = await connector.create('User', { schemas: [USER], userName: 'Ada@Acme.Example' }, ctx);
    expect(out).toEqual({ nativeId: 'n1' });
    const search = sent.find((r) => r.method === 'GET')!;
    expect(search.query).toEqual({ filter: 'userName eq "ada@acme.example"' });
  });

  it('a group member with no record in the app is refused, not silently dropped', async () => {
    const { connector, ctx, sent } = rig(() => answer(201, { id: 'g1' }), {}, { u1: 'n1' });
    const group = { schemas: [GROUP], displayName: 'Team', members: [{ value: 'u1' }, { value: 'u2' }] };
    await expect(connector.create('Group', group, ctx)).rejects.toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(sent).toEqual([]);
    // A member already in the group without a record (it never reached the app) does not block other changes.
    await connector.update('Group', 'g1', group, { ...group, displayName: 'Team 2' }, ctx);
    expect(sent.map((r) => r.method)).toEqual(['PATCH']);
    await expect(connector.update('Group', 'g1', group, { ...group, members: [...group.members, { value: 'u3' }] }, ctx)).rejects.toMatchObject({ status: 400, scimType: 'invalidValue' });
  });

  it("a group's member references, before and after, are looked up in one batch", async () => {
    const { connector, ctx, sent } = rig(() => answer(200, { id: 'g1' }));
    const batches: string[][] = [];
    ctx.nativeIdOf = batchedNativeIds(async (_t, ids) => {
      batches.push([...ids]);
      return new Map(ids.map((id) => [id, `n-${id}`]));
    });
    const members = (...ids: string[]) => ({ schemas: [GROUP], displayName: 'Team', members: ids.map((value) => ({ value })) });
    await connector.update('Group', 'g1', members('u1', 'u2'), members('u2', 'u3', 'u4'), ctx);
    expect(batches.map((b) => b.sort())).toEqual([['u1', 'u2', 'u3', 'u4']]);
    expect(sent.map((r) => r.method)).toEqual(['PATCH']);
  });

  it('an attribute whose keys only changed order is not sent again', async () => {
    const { connector, ctx, sent } = rig(() => answer(200, {}));
    const was = { schemas: [USER], userName: 'ada', name: { givenName: 'Ada', familyName: 'Lovelace' } };
    await connector.update('User', 'n1', was, { ...was, name: { familyName: 'Lovelace', givenName: 'Ada' } }, ctx);
    expect(sent).toEqual([]);
  });
});
