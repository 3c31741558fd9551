/**
 * The resource service: SCIM operations on one app's users and groups, over the store. Knows nothing
 * of HTTP; takes parsed requests, returns SCIM representations, throws ScimErrors. Every write is
 * audited, whatever its outcome.
 */
import type { Logger } from 'pino';
import type { Dialect } from '../dialect/types.js';
import type { Connector, ConnectorContext, NativeLookup } from '../connectors/types.js';
import { invalidValue, notFound, uniqueness } from '../scim/errors.js';
import { checkIfMatch } from '../scim/etag.js';
import type { FilterNode } from '../scim/filter/ast.js';
import { indexedFieldOf, matchesFilter, planFilter, validateFilter } from '../scim/filter/index.js';
import type { ListParams, ListResponse } from '../scim/list.js';
import { listResponse } from '../scim/list.js';
import { applyPatch } from '../scim/patch.js';
import { project } from '../scim/projection.js';
import { canonicalizeResource, sameResourceValues } from '../scim/resource.js';
import { withoutWriteOnly } from '../scim/write-only.js';
import type { ResourceTypeName, SchemaRegistry } from '../scim/schemas/registry.js';
import { foldCase, type JsonObject, type MemberRecord, type ResourceRecord, type Store } from '../store/types.js';
import { audited, type AuditedOutcome, type AuditFor } from './audit.js';
import { renderResource, resourceBody } from './render.js';
import { sortResources } from './sort.js';
import { KeyedLock } from './keyed-lock.js';
import { CONFLICT_DETAIL, RetryableConflict, storeCall } from './store-errors.js';

export interface AppRuntime {
  name: string;
  registry: SchemaRegistry;
  store: Store;
  dialect: Dialect;
  uniqueGroupDisplayName: boolean;
  /** Where changes go besides the store: nowhere (`store`) or a downstream API (`rest`). */
  connector: Connector;
}

export interface RequestContext {
  requestId: string;
  /** The app's SCIM base URL as the client reaches it, for meta.location and $ref. */
  baseUrl: string;
}

export interface Projection {
  attributes?: ListParams['attributes'];
  excludedAttributes?: ListParams['excludedAttributes'];
}

export interface ResourceResult {
  resource: JsonObject;
  version: number;
}

/** A PATCH whose read-modify-write lost a race is retried this many times before 412/409. */
const MAX_WRITE_ATTEMPTS = 5;

export class ResourceService {
  private readonly createLock = new KeyedLock();

  constructor(
    private readonly app: AppRuntime,
    private readonly log: Logger,
  ) {}

  private ctx(type: ResourceTypeName) {
    return { registry: this.app.registry, type };
  }

  // ---- reads ----------------------------------------------------------------------------------

  async get(type: ResourceTypeName, id: string, ctx: RequestContext, projection: Projection = {}): Promise<ResourceResult> {
    const record = await this.app.store.get(this.app.name, type, id, { withMembers: this.wants(type, 'members', projection) });
    if (!record) throw notFound(`${type} ${id} not found`);
    const [rendered] = await this.renderAll([record], ctx, projection);
    return { resource: this.project(rendered!, type, projection), version: record.version };
  }

  async list(type: ResourceTypeName, params: ListParams, ctx: RequestContext): Promise<ListResponse> {
    const fctx = this.ctx(type);
    if (params.filter) validateFilter(params.filter, fctx);
    const plan: { condition?: ReturnType<typeof planFilter>['condition']; residual?: FilterNode } = params.filter
      ? planFilter(params.filter, fctx)
      : {};
    const sortResolved = params.sortBy ? this.app.registry.resolve(type, params.sortBy) : undefined;
    if (params.sortBy && !sortResolved) throw invalidValue('"sortBy" names an attribute this resource type does not have');
    const indexedSort = sortResolved ? indexedFieldOf(sortResolved, type) : undefined;
    const withMembers = this.wants(type, 'members', params) || plan.residual !== undefined;

    // Fast path: the store answers the whole query, paging included.
    if (!plan.residual && (!sortResolved || indexedSort)) {
      const result = await this.app.store.query(this.app.name, type, {
        ...(plan.condition ? { condition: plan.condition } : {}),
        ...(indexedSort ? { sort: { field: indexedSort, descending: params.descending } } : {}),
        offset: params.startIndex - 1,
        limit: params.count,
        withMembers,
      });
      if (result.total === 0 && params.startIndex === 1 && this.app.connector.kind !== 'store') {
        const adopted = await this.adopt(type, params.filter, ctx);
        if (adopted) {
          result.records.push(adopted);
          result.total = 1;
        }
      }
      const rendered = await this.renderAll(result.records, ctx, params);
      return listResponse(
        rendered.map((r) => this.project(r, type, params)),
        result.total,
        params.startIndex,
      );
    }

    // Slow path: the store narrows by what it can; the rest is filtered, sorted and paged here.
    const candidates = await this.app.store.query(this.app.name, type, {
      ...(plan.condition ? { condition: plan.condition } : {}),
      withMembers,
    });
    let rendered = await this.renderAll(candidates.records, ctx, { attributes: undefined });
    if (plan.residual) {
      const residual = plan.residual;
      rendered = rendered.filter((r) => matchesFilter(r, residual, fctx));
    }
    if (sortResolved) rendered = sortResources(rendered, sortResolved, params.descending);
    const page = rendered.slice(params.startIndex - 1, params.startIndex - 1 + params.count);
    return listResponse(
      page.map((r) => this.project(r, type, params)),
      rendered.length,
      params.startIndex,
    );
  }

  // ---- writes ---------------------------------------------------------------------------------
  // Order for every write: validate, then the connector (the downstream system), then the store with its
  // audit entry in one transaction. A downstream failure leaves the store as it was.

  async create(type: ResourceTypeName, body: unknown, ctx: RequestContext): Promise<ResourceResult> {
    return this.audit('create', type, undefined, ctx, async (auditFor) => {
      const input = this.toWriteInput(type, body);
      const write = async () => {
        let nativeId: string | undefined;
        if (this.app.connector.kind !== 'store') {
          // Refuse a duplicate before the downstream system sees it.
          await this.assertUnique(type, input.data);
          ({ nativeId } = await this.app.connector.create(type, withMembers(input), this.connectorContext(ctx)));
        }
        return storeCall(() =>
          this.app.store.create(this.app.name, type, { ...input, data: withoutWriteOnly(input.data, this.ctx(type)), ...(nativeId === undefined ? {} : { nativeId }) }, {
            uniqueGroupDisplayName: this.app.uniqueGroupDisplayName,
            audit: auditFor(201),
          }),
        );
      };
      // Two creates of one userName at once must not both reach the downstream API.
      const unique = this.app.connector.kind === 'store' ? undefined : this.uniqueOf(type, input.data);
      const record = unique === undefined ? await write() : await this.createLock.run(`${type}:${unique.value}`, write);
      return { result: { resource: renderResource(record, ctx.baseUrl), version: record.version }, id: record.id, audited: true, status: 201 };
    });
  }

  async replace(type: ResourceTypeName, id: string, body: unknown, ctx: RequestContext, ifMatch?: string): Promise<ResourceResult> {
    return this.audit('replace', type, id, ctx, async (auditFor) => {
      const input = this.toWriteInput(type, body);
      const current = await this.app.store.get(this.app.name, type, id, { withMembers: type === 'Group' });
      if (!current) throw notFound(`${type} ${id} not found`);
      checkIfMatch(ifMatch, current.version);
      await this.updateDownstream(type, current, withMembers(input), ctx);
      // Groups: a PUT without `members` leaves the group with none (full replace, RFC 7644 §3.5.1).
      const record = await storeCall(() =>
        this.app.store.replace(this.app.name, type, id, { ...input, data: withoutWriteOnly(input.data, this.ctx(type)) }, {
          ifVersion: current.version,
          uniqueGroupDisplayName: this.app.uniqueGroupDisplayName,
          audit: auditFor(200),
        }),
      );
      return { result: await this.renderOne(record, ctx), id, audited: true, status: 200 };
    });
  }

  async patch(type: ResourceTypeName, id: string, body: unknown, ctx: RequestContext, ifMatch?: string): Promise<ResourceResult> {
    return this.audit('patch', type, id, ctx, async (auditFor) => {
      const ops = this.app.dialect.normalizePatch(body, this.ctx(type));
      for (let attempt = 1; ; attempt += 1) {
        const current = await this.app.store.get(this.app.name, type, id, { withMembers: type === 'Group' });
        if (!current) throw notFound(`${type} ${id} not found`);
        checkIfMatch(ifMatch, current.version);
        const after = canonicalizeResource(applyPatch(resourceBody(current), ops, this.ctx(type)), this.ctx(type));
        // What is stored was canonicalized when it was written: compare with it as it is.
        if (sameResourceValues(after, withMembers(current))) {
          // Nothing changed: no write anywhere, the version (ETag) stays.
          return { result: await this.renderOne(current, ctx), id, audited: false, status: 200 };
        }
        await this.updateDownstream(type, current, after, ctx);
        try {
          const record = await storeCall(
            () =>
              this.app.store.replace(this.app.name, type, id, this.splitMembers(type, withoutWriteOnly(after, this.ctx(type))), {
                ifVersion: current.version,
                uniqueGroupDisplayName: this.app.uniqueGroupDisplayName,
                audit: auditFor(200),
              }),
            { retryOnVersionMismatch: ifMatch === undefined && attempt < MAX_WRITE_ATTEMPTS },
          );
          return { result: await this.renderOne(record, ctx), id, audited: true, status: 200 };
        } catch (error) {
          // Another request changed the resource meanwhile: patch its new state (the downstream update
          // is repeated from the new state, which the connector sends as a diff: safe to repeat).
          if (error instanceof RetryableConflict) continue;
          throw error;
        }
      }
    });
  }

  async delete(type: ResourceTypeName, id: string, ctx: RequestContext, ifMatch?: string): Promise<void> {
    await this.audit('delete', type, id, ctx, async (auditFor) => {
      let ifVersion: number | undefined;
      if (ifMatch !== undefined || this.app.connector.kind !== 'store') {
        const current = await this.app.store.get(this.app.name, type, id, { withMembers: type === 'Group' });
        if (!current) throw notFound(`${type} ${id} not found`);
        checkIfMatch(ifMatch, current.version);
        ifVersion = current.version;
        if (current.nativeId !== undefined) {
          await this.app.connector.delete(type, current.nativeId, resourceBody(current), this.connectorContext(ctx));
        }
      }
      const audit = auditFor(204);
      const deleted = await storeCall(() =>
        this.app.store.delete(this.app.name, type, id, ifVersion === undefined ? { audit } : { ifVersion, audit }),
      );
      if (!deleted) throw notFound(`${type} ${id} not found`);
      return { result: undefined, id, audited: true, status: 204 };
    });
  }

  /**
   * A filter that found nothing in the store may name a record that exists downstream already (created
   * before the gateway, or by hand): the connector looks it up and the gateway adopts it rather than let
   * the client create a duplicate.
   */
  private async adopt(type: ResourceTypeName, filter: FilterNode | undefined, ctx: RequestContext): Promise<ResourceRecord | undefined> {
    const lookup = filter && this.lookupOf(type, filter);
    if (!lookup || !this.app.connector.canFind(type, lookup.path)) return undefined;
    const match = await this.app.connector.find(type, lookup, this.connectorContext(ctx));
    if (!match) return undefined;
    // Already linked to another resource (whose attributes differ from the filter): nothing to adopt.
    if (await this.app.store.findByNativeId(this.app.name, type, match.nativeId)) return undefined;
    return this.audit('adopt', type, undefined, ctx, async (auditFor) => {
      const input = this.splitMembers(type, canonicalizeResource(match.resource, this.ctx(type)));
      const record = await storeCall(() =>
        this.app.store.create(this.app.name, type, { ...input, nativeId: match.nativeId }, {
          uniqueGroupDisplayName: this.app.uniqueGroupDisplayName,
          audit: auditFor(201),
        }),
      );
      this.log.info({ reqId: ctx.requestId, type, id: record.id, nativeId: match.nativeId }, 'adopted a downstream record');
      return { result: record, id: record.id, audited: true, status: 201 };
    });
  }

  /** `attr eq "value"` on a string attribute: the only filters worth a downstream lookup. */
  private lookupOf(type: ResourceTypeName, filter: FilterNode): NativeLookup | undefined {
    if (filter.kind !== 'compare' || filter.op !== 'eq' || typeof filter.value !== 'string') return undefined;
    const resolved = this.app.registry.resolve(type, filter.path);
    if (!resolved) return undefined;
    const keys = resolved.extension ? resolved.keys.slice(1) : resolved.keys;
    // emails eq "x" means emails.value eq "x" (RFC 7644 §3.4.2.2).
    const path = resolved.attribute.multiValued && !resolved.sub ? `${keys.join('.')}.value` : keys.join('.');
    return { path: resolved.extension ? `${resolved.schema}:${path}` : path, value: filter.value };
  }

  /** The field and folded value that must be unique in the app (userName; a group's displayName when unique). */
  private uniqueOf(type: ResourceTypeName, data: JsonObject): { field: 'userName' | 'displayName'; value: string } | undefined {
    const field = type === 'User' ? 'userName' : this.app.uniqueGroupDisplayName ? 'displayName' : undefined;
    const value = field && data[field];
    return field && typeof value === 'string' ? { field, value: foldCase(value) } : undefined;
  }

  private async assertUnique(type: ResourceTypeName, data: JsonObject): Promise<void> {
    const unique = this.uniqueOf(type, data);
    if (!unique) return;
    const found = await this.app.store.query(this.app.name, type, { condition: { op: 'eq', ...unique }, limit: 1 });
    if (found.total > 0) throw uniqueness(CONFLICT_DETAIL[unique.field]);
  }

  private async updateDownstream(type: ResourceTypeName, current: ResourceRecord, after: JsonObject, ctx: RequestContext): Promise<void> {
    if (this.app.connector.kind === 'store') return;
    const cctx = this.connectorContext(ctx);
    if (current.nativeId === undefined) {
      // Stored before this app had a connector: create it downstream now.
      const { nativeId } = await this.app.connector.create(type, after, cctx);
      if (nativeId !== undefined) {
        await storeCall(() => this.app.store.replace(this.app.name, type, current.id, { data: current.data, nativeId }, { ifVersion: current.version }));
        current.version += 1;
      }
      return;
    }
    await this.app.connector.update(type, current.nativeId, resourceBody(current), after, cctx);
  }

  private connectorContext(ctx: RequestContext): ConnectorContext {
    const { store, name } = this.app;
    return {
      requestId: ctx.requestId,
      nativeIdOf: async (type, scimId) => (await store.get(name, type, scimId))?.nativeId,
      scimIdOf: async (type, nativeId) => (await store.findByNativeId(name, type, nativeId))?.id,
    };
  }

  private audit<T>(
    action: string,
    type: ResourceTypeName,
    id: string | undefined,
    ctx: RequestContext,
    work: (auditFor: AuditFor) => Promise<AuditedOutcome<T>>,
  ): Promise<T> {
    return audited(
      this.app.store,
      this.log,
      { app: this.app.name, action, resourceType: type, requestId: ctx.requestId, ...(id === undefined ? {} : { resourceId: id }) },
      work,
    );
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Dialect, then schema: the canonical data and (groups) the member list to store. */
  private toWriteInput(type: ResourceTypeName, body: unknown) {
    const normalized = this.app.dialect.normalizeResource(body, this.ctx(type));
    return this.splitMembers(type, canonicalizeResource(normalized, this.ctx(type)));
  }

  private splitMembers(type: ResourceTypeName, canonical: JsonObject): { data: JsonObject; members?: MemberRecord[] } {
    if (type !== 'Group') return { data: canonical };
    const { members, ...data } = canonical;
    const list: MemberRecord[] = [];
    const seen = new Set<string>();
    for (const m of Array.isArray(members) ? members : []) {
      const raw = m as JsonObject;
      const value = raw.value as string;
      if (seen.has(value)) continue; // a member listed twice is one membership
      seen.add(value);
      list.push({ value, raw });
    }
    return { data, members: list };
  }

  /** True unless the projection leaves `name` out, so the work to compute it can be skipped. */
  private wants(type: ResourceTypeName, name: 'members' | 'groups', projection: Projection): boolean {
    if ((type === 'Group') !== (name === 'members')) return false;
    const lower = name.toLowerCase();
    const core = this.app.registry.coreSchema(type).id.toLowerCase();
    const named = (refs: Projection['attributes']) =>
      refs?.some((r) => r.name.toLowerCase() === lower && (r.uri === undefined || r.uri.toLowerCase() === core));
    if (projection.attributes) return named(projection.attributes) === true;
    return !(named(projection.excludedAttributes) === true);
  }

  private async renderAll(records: ResourceRecord[], ctx: RequestContext, projection: Projection): Promise<JsonObject[]> {
    const users = records.filter((r) => r.type === 'User').map((r) => r.id);
    const groups =
      users.length > 0 && this.wants('User', 'groups', projection)
        ? await this.app.store.groupsOf(this.app.name, users)
        : undefined;
    return records.map((r) => renderResource(r, ctx.baseUrl, groups?.get(r.id)));
  }

  private async renderOne(record: ResourceRecord, ctx: RequestContext): Promise<ResourceResult> {
    const [resource] = await this.renderAll([record], ctx, {});
    return { resource: resource!, version: record.version };
  }

  private project(resource: JsonObject, type: ResourceTypeName, projection: Projection): JsonObject {
    if (!projection.attributes && !projection.excludedAttributes) return withoutWriteOnly(resource, this.ctx(type));
    return project(resource, projection, this.ctx(type));
  }
}

/** The full SCIM resource of a write input: data plus (groups) the members as sent. */
function withMembers(input: { data: JsonObject; members?: MemberRecord[] | undefined }): JsonObject {
  if (!input.members || input.members.length === 0) return input.data;
  return { ...input.data, members: input.members.map((m) => m.raw) };
}
