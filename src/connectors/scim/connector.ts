/**
 * The `scim` connector: an app that speaks SCIM already. The resource service runs every write through
 * reserve → act → commit; this is the act: the gateway's resource, normalized into the app's SCIM
 * (normalize/), its references turned into the app's ids, sent with the shared native client (rate
 * budget, timeouts, Retry-After, retries only where safe). The app's id is the native id. Reads are the
 * gateway's (README: "Apps that already speak SCIM"), so nothing here answers a client's GET.
 */
import type { Logger } from 'pino';
import type { Normalizer } from '../../normalize/index.js';
import { uniqueness } from '../../scim/errors.js';
import type { ResourceTypeName } from '../../scim/schemas/registry.js';
import type { JsonObject } from '../../store/types.js';
import { PATCH_OP_SCHEMA } from '../../scim/patch/operation.js';
import { findKey, isObject, jsonEqual } from '../../scim/patch/json.js';
import { ambiguous } from '../rest/connector.js';
import type { NativeClient, NativeRequest, NativeResponse } from '../http/types.js';
import type { Connector, ConnectorContext, NativeLookup, NativeMatch } from '../types.js';
import { atEdge, fromAppResponse, noResource } from './errors.js';
import type { ScimPlugin } from './plugin.js';
import { mapReferences, withoutServerAttributes } from './references.js';

const collectionOf = (type: ResourceTypeName) => (type === 'User' ? '/Users' : '/Groups');
const operationOf = (type: ResourceTypeName, verb: string) => `${type === 'User' ? 'users' : 'groups'}.${verb}`;
/** A non-2xx answer of `operation` on a `what` thrown as its SCIM error. */
const refuseNon2xx = (res: NativeResponse, operation: string, what: string): void => {
  if (res.status < 200 || res.status >= 300) throw fromAppResponse(res, operation, what);
};

/** The attribute that names a resource uniquely in SCIM: what a create that may have happened is looked up by. */
const KEY: Record<ResourceTypeName, string> = { User: 'userName', Group: 'displayName' };

/** A filter value as a SCIM string literal (RFC 7644 §3.4.2.2: JSON string). */
const literal = (value: string) => JSON.stringify(value);

export class ScimConnector implements Connector {
  readonly native = true;

  constructor(
    private readonly plugin: ScimPlugin,
    private readonly normalizer: Normalizer,
    private readonly client: NativeClient,
    private readonly log: Logger,
  ) {}

  async create(type: ResourceTypeName, resource: JsonObject, ctx: ConnectorContext): Promise<{ nativeId?: string }> {
    return this.edge(async () => {
      const body = await this.outbound(type, resource, ctx, this.joining(() => true));
      // The key as the app received it (normalized: a case or attribute rule may have changed it), not as the client sent it.
      const keyName = findKey(body, KEY[type]);
      const key = keyName !== undefined && typeof body[keyName] === 'string' ? (body[keyName] as string) : undefined;
      let res: NativeResponse;
      try {
        res = await this.send({ method: 'POST', path: collectionOf(type), body, idempotent: false, operation: operationOf(type, 'create') });
      } catch (error) {
        // Timed out or broken after it left: the app may have created it. Look before sending it again,
        // so one call never leaves two records (the Connector contract).
        if (!ambiguous(error) || key === undefined) throw error;
        const existing = await this.findId(type, KEY[type], key);
        if (existing !== undefined) return { nativeId: await this.adoptOnCreate(type, existing, body) };
        res = await this.send({ method: 'POST', path: collectionOf(type), body, idempotent: false, operation: operationOf(type, 'create') });
      }
      if (res.status === 409 && key !== undefined) {
        // The app has it already (created before the gateway, or deactivated and now back): take it over.
        const existing = await this.findId(type, KEY[type], key);
        if (existing === undefined) throw uniqueness(`The app already has this ${type}`);
        return { nativeId: await this.adoptOnCreate(type, existing, body) };
      }
      refuseNon2xx(res, operationOf(type, 'create'), type);
      if (!isObject(res.body) || typeof res.body.id !== 'string' || res.body.id === '') throw noResource(res, operationOf(type, 'create'));
      return { nativeId: res.body.id };
    });
  }

  async update(type: ResourceTypeName, nativeId: string, before: JsonObject, after: JsonObject, ctx: ConnectorContext): Promise<void> {
    await this.edge(async () => {
      // Only what changed, as a PATCH: the app gets the attributes the client changed and nothing else
      // (a PUT would resend every member of a group and every attribute of a user).
      const was = new Set(memberIds(before));
      const images = await Promise.all([this.outbound(type, before, ctx), this.outbound(type, after, ctx, this.joining((id) => !was.has(id)))]);
      const ops = patchOperations(...images);
      if (ops.length === 0) return;
      await this.patch(type, nativeId, ops);
    });
  }

  async delete(type: ResourceTypeName, nativeId: string, resource: JsonObject, ctx: ConnectorContext): Promise<void> {
    await this.edge(async () => {
      if (type === 'User' && this.plugin.users.delete === 'deactivate') {
        await this.patch('User', nativeId, [{ op: 'replace', path: 'active', value: false }]);
        // A deactivated user stays in the app: out of the groups the gateway drops it from, as a DELETE would be.
        if (typeof resource.id === 'string') await this.leaveGroups(nativeId, resource.id, ctx);
        return;
      }
      const res = await this.send({ method: 'DELETE', path: `${collectionOf(type)}/${encodeURIComponent(nativeId)}`, idempotent: true, operation: operationOf(type, 'delete') });
      // Already gone (a retried DELETE whose first answer was lost): the delete is done.
      if (res.status === 404) return;
      refuseNon2xx(res, operationOf(type, 'delete'), type);
    });
  }

  canFind(type: ResourceTypeName, path: string): boolean {
    const section = type === 'User' ? this.plugin.users : this.plugin.groups;
    return section.find.some((p) => p.toLowerCase() === path.toLowerCase());
  }

  async find(type: ResourceTypeName, lookup: NativeLookup, ctx: ConnectorContext): Promise<NativeMatch | undefined> {
    return this.edge(async () => {
      const found = await this.search(type, lookup.path, lookup.value);
      if (found.length !== 1) return undefined; // none, or ambiguous: nothing to adopt
      const record = found[0]!;
      const resource = withoutServerAttributes(this.normalizer.fromApp(record));
      await mapReferences(type, resource, (t, id) => ctx.scimIdOf(t, id));
      return { nativeId: record.id as string, resource };
    });
  }

  close(): Promise<void> {
    return this.client.close();
  }

  // ---- the wire -------------------------------------------------------------------------------

  /** The gateway's resource as the app takes it: normalized, server attributes out, references in the app's ids. */
  private async outbound(type: ResourceTypeName, resource: JsonObject, ctx: ConnectorContext, joining?: Joining): Promise<JsonObject> {
    const body = withoutServerAttributes(this.normalizer.toApp(resource));
    await mapReferences(type, body, (t, id) => ctx.nativeIdOf(t, id), joining);
    return body;
  }

  /** The members that join the app's group with this write: each must have a record in the app. */
  private joining(has: (id: string) => boolean): Joining {
    return { has, where: this.plugin.file === undefined ? 'the app' : this.plugin.name };
  }

  /** Adoption's write: the whole resource, since the app's record may hold anything. */
  private async replace(type: ResourceTypeName, nativeId: string, body: JsonObject): Promise<void> {
    await this.expect2xx({ method: 'PUT', path: `${collectionOf(type)}/${encodeURIComponent(nativeId)}`, body, idempotent: true, operation: operationOf(type, 'replace') }, type);
  }

  /** A record the app had already, found by its key, made what the client asked for. */
  private async adoptOnCreate(type: ResourceTypeName, nativeId: string, body: JsonObject): Promise<string> {
    this.log.info({ type, nativeId }, 'create found the record in the app already; replacing it with what the client sent');
    await this.replace(type, nativeId, body);
    return nativeId;
  }

  private async findId(type: ResourceTypeName, path: string, value: string): Promise<string | undefined> {
    const found = await this.search(type, path, value);
    return found.length === 1 ? (found[0]!.id as string) : undefined;
  }

  /** `GET /Users?filter=<path> eq "<value>"`: the app's records that match, each with a string id. */
  private async search(type: ResourceTypeName, path: string, value: string): Promise<JsonObject[]> {
    const operation = operationOf(type, 'search');
    const res = await this.send({ method: 'GET', path: collectionOf(type), query: { filter: `${path} eq ${literal(value)}` }, idempotent: true, operation });
    refuseNon2xx(res, operation, type);
    const list = isObject(res.body) ? res.body.Resources : undefined;
    if (isObject(res.body) && res.body.totalResults === 0 && list === undefined) return [];
    if (!Array.isArray(list)) throw noResource(res, operation);
    return list.filter((r): r is JsonObject => isObject(r) && typeof r.id === 'string' && r.id !== '');
  }

  private async patch(type: ResourceTypeName, nativeId: string, ops: JsonObject[]): Promise<void> {
    const req: NativeRequest = {
      method: 'PATCH',
      path: `${collectionOf(type)}/${encodeURIComponent(nativeId)}`,
      body: { schemas: [PATCH_OP_SCHEMA], Operations: ops },
      // Every operation sets or removes a value, members included: the same PATCH twice ends the same.
      idempotent: true,
      operation: operationOf(type, 'update'),
    };
    await this.expect2xx(req, type);
  }

  private async leaveGroups(nativeUserId: string, userId: string, ctx: ConnectorContext): Promise<void> {
    for (const groupId of await ctx.groupsOf(userId)) {
      const nativeGroup = await ctx.nativeIdOf('Group', groupId);
      if (nativeGroup !== undefined) await this.patch('Group', nativeGroup, [{ op: 'remove', path: `members[value eq ${literal(nativeUserId)}]` }]);
    }
  }

  private async expect2xx(req: NativeRequest, what: string): Promise<NativeResponse> {
    const res = await this.send(req);
    refuseNon2xx(res, req.operation, what);
    // A 2xx that is an HTML login page or a proxy's text is not the app's SCIM answer.
    if (res.body !== undefined && !isObject(res.body)) throw noResource(res, req.operation);
    return res;
  }

  private send(req: NativeRequest): Promise<NativeResponse> {
    return this.client.request(req);
  }

  /** Every failure leaves as a ScimError: the app's trouble translated once, here. */
  private edge<T>(work: () => Promise<T>): Promise<T> {
    return atEdge(work, this.log);
  }
}

type Joining = { has(id: string): boolean; where: string };

/** The gateway's ids of a group's members. */
const memberIds = (r: JsonObject): string[] => {
  const key = findKey(r, 'members');
  const members = key === undefined ? undefined : r[key];
  return Array.isArray(members) ? members.flatMap((m) => (isObject(m) && typeof m.value === 'string' ? [m.value] : [])) : [];
};

/**
 * RFC 7644 §3.5.2 operations from one state of a resource to the next, both in the app's terms: each
 * changed attribute replaced (an extension's attributes one by one, by URN path), each vanished one
 * removed, group members added and removed by value.
 */
function patchOperations(was: JsonObject, now: JsonObject): JsonObject[] {
  const ops: JsonObject[] = [];
  const diff = (from: JsonObject, to: JsonObject, prefix: string) => {
    for (const [key, value] of Object.entries(to)) {
      if (prefix === '' && (key === 'schemas' || key === 'members')) continue;
      if (prefix === '' && key.startsWith('urn:') && isObject(value)) diff(isObject(from[key]) ? from[key] : {}, value, `${key}:`);
      else if (!jsonEqual(from[key], value)) ops.push({ op: 'replace', path: `${prefix}${key}`, value });
    }
    for (const key of Object.keys(from)) {
      if (prefix === '' && (key === 'schemas' || key === 'members')) continue;
      if (key in to) continue;
      // A whole extension gone: its attributes removed one by one, as a strict server expects paths to name attributes.
      if (prefix === '' && key.startsWith('urn:') && isObject(from[key])) diff(from[key], {}, `${key}:`);
      else ops.push({ op: 'remove', path: `${prefix}${key}` });
    }
  };
  diff(was, now, '');
  const ids = (r: JsonObject) => (Array.isArray(r.members) ? (r.members as JsonObject[]).map((m) => m.value as string) : []);
  const [from, to] = [new Set(ids(was)), new Set(ids(now))];
  const added = [...to].filter((id) => !from.has(id));
  if (added.length > 0) ops.push({ op: 'add', path: 'members', value: added.map((value) => ({ value })) });
  for (const id of from) if (!to.has(id)) ops.push({ op: 'remove', path: `members[value eq ${literal(id)}]` });
  return ops;
}
