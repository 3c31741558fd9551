/**
 * The resource service: SCIM operations on one app's users and groups, over the store. Knows nothing
 * of HTTP; takes parsed requests, returns SCIM representations, throws ScimErrors. Every write is
 * audited, whatever its outcome.
 */
import type { Logger } from 'pino';
import type { Dialect } from '../dialect/types.js';
import { ScimError, internalError, invalidValue, notFound, preconditionFailed, uniqueness } from '../scim/errors.js';
import { checkIfMatch } from '../scim/etag.js';
import type { FilterNode } from '../scim/filter/ast.js';
import { matchesFilter, planFilter, validateFilter } from '../scim/filter/index.js';
import type { ListParams, ListResponse } from '../scim/list.js';
import { listResponse } from '../scim/list.js';
import { applyPatch } from '../scim/patch.js';
import { project } from '../scim/projection.js';
import { canonicalizeResource, sameResourceValues } from '../scim/resource.js';
import type { ResourceTypeName, SchemaRegistry } from '../scim/schemas/registry.js';
import { StoreError, type IndexedField, type JsonObject, type MemberRecord, type ResourceRecord, type Store } from '../store/types.js';
import { renderResource, resourceBody } from './render.js';
import { sortResources } from './sort.js';

export interface AppRuntime {
  name: string;
  registry: SchemaRegistry;
  store: Store;
  dialect: Dialect;
  uniqueGroupDisplayName: boolean;
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
    const indexedSort = sortResolved ? indexedFieldOf(type, sortResolved.keys) : undefined;
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

  async create(type: ResourceTypeName, body: unknown, ctx: RequestContext): Promise<ResourceResult> {
    return this.audited('create', type, undefined, ctx, async () => {
      const input = this.toWriteInput(type, body);
      const record = await this.storeCall(() =>
        this.app.store.create(this.app.name, type, input, { uniqueGroupDisplayName: this.app.uniqueGroupDisplayName }),
      );
      return { result: { resource: renderResource(record, ctx.baseUrl), version: record.version }, id: record.id };
    });
  }

  async replace(type: ResourceTypeName, id: string, body: unknown, ctx: RequestContext, ifMatch?: string): Promise<ResourceResult> {
    return this.audited('replace', type, id, ctx, async () => {
      const input = this.toWriteInput(type, body);
      const current = await this.app.store.get(this.app.name, type, id);
      if (!current) throw notFound(`${type} ${id} not found`);
      checkIfMatch(ifMatch, current.version);
      // Groups: a PUT without `members` leaves the group with none (full replace, RFC 7644 §3.5.1).
      const record = await this.storeCall(() =>
        this.app.store.replace(this.app.name, type, id, input, {
          ifVersion: current.version,
          uniqueGroupDisplayName: this.app.uniqueGroupDisplayName,
        }),
      );
      return { result: await this.renderOne(record, ctx), id };
    });
  }

  async patch(type: ResourceTypeName, id: string, body: unknown, ctx: RequestContext, ifMatch?: string): Promise<ResourceResult> {
    return this.audited('patch', type, id, ctx, async () => {
      const ops = this.app.dialect.normalizePatch(body, this.ctx(type));
      for (let attempt = 1; ; attempt += 1) {
        const current = await this.app.store.get(this.app.name, type, id, { withMembers: type === 'Group' });
        if (!current) throw notFound(`${type} ${id} not found`);
        checkIfMatch(ifMatch, current.version);
        const before = resourceBody(current);
        const after = canonicalizeResource(applyPatch(before, ops, this.ctx(type)), this.ctx(type));
        const beforeCanonical = canonicalizeResource(before, this.ctx(type));
        if (sameResourceValues(after, beforeCanonical)) {
          // Nothing changed: no write, the version (ETag) stays.
          return { result: await this.renderOne(current, ctx), id };
        }
        try {
          const record = await this.storeCall(
            () =>
              this.app.store.replace(this.app.name, type, id, this.splitMembers(type, after), {
                ifVersion: current.version,
                uniqueGroupDisplayName: this.app.uniqueGroupDisplayName,
              }),
            { retryOnVersionMismatch: ifMatch === undefined && attempt < MAX_WRITE_ATTEMPTS },
          );
          return { result: await this.renderOne(record, ctx), id };
        } catch (error) {
          if (error instanceof RetryableConflict) continue;
          throw error;
        }
      }
    });
  }

  async delete(type: ResourceTypeName, id: string, ctx: RequestContext, ifMatch?: string): Promise<void> {
    await this.audited('delete', type, id, ctx, async () => {
      let ifVersion: number | undefined;
      if (ifMatch !== undefined) {
        const current = await this.app.store.get(this.app.name, type, id);
        if (!current) throw notFound(`${type} ${id} not found`);
        checkIfMatch(ifMatch, current.version);
        ifVersion = current.version;
      }
      const deleted = await this.storeCall(() =>
        this.app.store.delete(this.app.name, type, id, ifVersion === undefined ? {} : { ifVersion }),
      );
      if (!deleted) throw notFound(`${type} ${id} not found`);
      return { result: undefined, id };
    });
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
    if (!projection.attributes && !projection.excludedAttributes) return resource;
    return project(resource, projection, this.ctx(type));
  }

  /** Translates store errors into SCIM errors, once, here. */
  private async storeCall<T>(call: () => Promise<T>, options: { retryOnVersionMismatch?: boolean } = {}): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      switch (error.code) {
        case 'conflict':
          throw uniqueness(
            error.details.field === 'displayName'
              ? 'A group with this displayName already exists'
              : error.details.field === 'id'
                ? 'A resource with this id already exists'
                : 'A user with this userName already exists',
          );
        case 'not_found':
          throw notFound('The resource no longer exists');
        case 'version_mismatch':
          if (options.retryOnVersionMismatch) throw new RetryableConflict();
          throw preconditionFailed('The resource was changed by another request');
        case 'missing_members': {
          const ids = error.details.ids ?? [];
          const shown = ids.slice(0, 5).join(', ') + (ids.length > 5 ? `, and ${ids.length - 5} more` : '');
          throw invalidValue(`members do not exist: ${shown}`);
        }
      }
    }
  }

  private async audited<T>(
    action: string,
    type: ResourceTypeName,
    id: string | undefined,
    ctx: RequestContext,
    work: () => Promise<{ result: T; id: string }>,
  ): Promise<T> {
    const started = performance.now();
    let status = action === 'create' ? 201 : action === 'delete' ? 204 : 200;
    let detail: string | undefined;
    let resourceId = id;
    try {
      const { result, id: done } = await work();
      resourceId = done;
      return result;
    } catch (error) {
      const scim = error instanceof ScimError ? error : internalError(error);
      status = scim.status;
      detail = scim.scimType ? `${scim.scimType}: ${scim.message}` : scim.message;
      throw scim;
    } finally {
      const entry = {
        app: this.app.name,
        action,
        resourceType: type,
        status,
        requestId: ctx.requestId,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        ...(resourceId === undefined ? {} : { resourceId }),
        ...(detail === undefined ? {} : { detail: detail.slice(0, 500) }),
      };
      await this.app.store.appendAudit(entry).catch((error: unknown) => {
        this.log.error({ err: error, app: this.app.name, action }, 'audit append failed');
      });
    }
  }
}

class RetryableConflict extends Error {}

/** The store field that indexes an attribute path, when there is one. */
function indexedFieldOf(type: ResourceTypeName, keys: readonly string[]): IndexedField | undefined {
  const path = keys.join('.');
  switch (path) {
    case 'id':
      return 'id';
    case 'externalId':
      return 'externalId';
    case 'displayName':
      return 'displayName';
    case 'userName':
      return type === 'User' ? 'userName' : undefined;
    case 'meta.created':
      return 'created';
    case 'meta.lastModified':
      return 'lastModified';
    default:
      return undefined;
  }
}
