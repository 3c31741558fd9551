/**
 * The resource service: SCIM operations on one app's users and groups, over the store. Knows nothing
 * of HTTP; takes parsed requests, returns SCIM representations, throws ScimErrors. Every write is
 * audited, whatever its outcome.
 */
import type { Logger } from 'pino';
import type { Connector, ConnectorContext, NativeLookup, NativeMatch } from '../connectors/types.js';
import { invalidValue, notFound, preconditionFailed, ScimError, serviceUnavailable } from '../scim/errors.js';
import { checkIfMatch } from '../scim/etag.js';
import type { FilterNode } from '../scim/filter/ast.js';
import { indexedFieldOf, matchesFilter, planFilter, validateFilter } from '../scim/filter/index.js';
import type { ListParams, ListResponse } from '../scim/list.js';
import { listResponse } from '../scim/list.js';
import { applyPatch } from '../scim/patch.js';
import { parsePatchMessage } from '../scim/patch/operation.js';
import { MAX_NORMALIZED_OPERATIONS } from '../dialect/entra.js';
import { project } from '../scim/projection.js';
import { canonicalizeResource, sameResourceValues } from '../scim/resource.js';
import { withoutWriteOnly } from '../scim/write-only.js';
import type { ResourceTypeName, SchemaRegistry } from '../scim/schemas/registry.js';
import {
  foldCase,
  StoreError,
  type Claim,
  type JsonObject,
  type MemberRecord,
  type ReserveRequest,
  type ResourceRecord,
  type Store,
  type WriteInput,
  type WriteOptions,
} from '../store/types.js';
import { nameOf } from '../audit/scope.js';
import { audited, type AuditedOutcome, type AuditFor } from './audit.js';
import { renderResource, resourceBody } from './render.js';
import { scanCandidates, type ScanLimits } from './scan.js';
import { sortResources } from './sort.js';
import { assertStorable } from './storable.js';
import { batchedNativeIds } from './native-ids.js';
import { nativeLookupOf } from './native-lookup.js';
import { RETRY_AFTER_SECONDS, RetryableConflict, storeCall } from './store-errors.js';

export interface AppRuntime {
  name: string;
  registry: SchemaRegistry;
  store: Store;
  uniqueGroupDisplayName: boolean;
  /** Where changes go besides the store: nowhere (`store`) or a downstream API (`rest`). */
  connector: Connector;
  /** The write path's claims: how long one lives if its holder dies, how long an update waits for one. */
  claims: { leaseMs: number; waitMs: number };
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

/**
 * How long a lookup's negative answer waits, parked with the userName's claim, for the create that
 * follows it (Entra sends that POST right after the empty GET). Bounded so a record made natively by
 * someone else meanwhile is not missed for long; capped by the claim lease.
 */
const ABSENT_NOTE_MS = 10_000;

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

  // Reads, like writes, meet store trouble as SCIM errors (a database that is away is 503, not 500).
  get(type: ResourceTypeName, id: string, ctx: RequestContext, projection: Projection = {}): Promise<ResourceResult> {
    return storeCall(() => this.read(type, id, ctx, projection));
  }

  list(type: ResourceTypeName, params: ListParams, ctx: RequestContext, scan: ScanLimits): Promise<ListResponse> {
    return storeCall(() => this.query(type, params, ctx, scan));
  }

  private async read(type: ResourceTypeName, id: string, ctx: RequestContext, projection: Projection): Promise<ResourceResult> {
    const record = await this.app.store.get(this.app.name, type, id, {
      withMembers: this.wants(type, 'members', projection),
      withGroups: this.wants(type, 'groups', projection),
    });
    if (!record) throw notFound(`${type} ${id} not found`);
    const [rendered] = await this.renderAll([record], ctx, projection);
    return { resource: this.project(rendered!, type, projection), version: record.version };
  }

  private async query(type: ResourceTypeName, params: ListParams, ctx: RequestContext, scan: ScanLimits): Promise<ListResponse> {
    const fctx = this.ctx(type);
    if (params.filter) validateFilter(params.filter, fctx);
    const plan: { condition?: ReturnType<typeof planFilter>['condition']; residual?: FilterNode } = params.filter
      ? planFilter(params.filter, fctx)
      : {};
    const sortResolved = params.sortBy ? this.app.registry.resolve(type, params.sortBy) : undefined;
    if (params.sortBy && !sortResolved) throw invalidValue('"sortBy" names an attribute this resource type does not have');
    const indexedSort = sortResolved ? indexedFieldOf(sortResolved, type) : undefined;
    const withMembers = this.wants(type, 'members', params) || plan.residual !== undefined;
    const withGroups = this.wants(type, 'groups', params);

    // Fast path: the store answers the whole query, paging included.
    if (!plan.residual && (!sortResolved || indexedSort)) {
      const result = await this.app.store.query(this.app.name, type, {
        ...(plan.condition ? { condition: plan.condition } : {}),
        ...(indexedSort ? { sort: { field: indexedSort, descending: params.descending } } : {}),
        offset: params.startIndex - 1,
        limit: params.count,
        withMembers,
        withGroups,
      });
      if (result.total === 0 && params.startIndex === 1) {
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

    // Slow path: the store narrows by what it can; the rest is filtered (bounded, in chunks), sorted and paged here.
    const residual = plan.residual;
    let rendered = await scanCandidates(
      this.app.store,
      {
        app: this.app.name,
        type,
        ...(plan.condition ? { condition: plan.condition } : {}),
        withMembers,
        // What renderAll shows with no projection: the users' groups, read with each chunk (no lookup of its own).
        withGroups: this.wants(type, 'groups', { attributes: undefined }),
        render: (records) => this.renderAll(records, ctx, { attributes: undefined }),
        ...(residual ? { keep: (r: JsonObject) => matchesFilter(r, residual, fctx) } : {}),
      },
      scan,
    );
    if (sortResolved) rendered = sortResources(rendered, sortResolved, params.descending);
    const page = rendered.slice(params.startIndex - 1, params.startIndex - 1 + params.count);
    return listResponse(
      page.map((r) => this.project(r, type, params)),
      rendered.length,
      params.startIndex,
    );
  }

  // ---- writes ---------------------------------------------------------------------------------
  // One path for every write and every connector: reserve (the store claims the resource and the unique
  // keys it will hold, across every replica), act (the connector's native work; the store connector does
  // nothing), commit (resource, id map and audit row in one transaction that also ends the claim), or
  // release on failure — a native failure leaves the store as it was.

  async create(type: ResourceTypeName, body: unknown, ctx: RequestContext): Promise<ResourceResult> {
    return this.audit('create', type, undefined, ctx, async (auditFor) => {
      const input = this.toWriteInput(type, body);
      const claim = await this.reserve(type, { purpose: 'create', data: input.data });
      const record = await this.underClaim(claim, () =>
        this.withAffected(type, undefined, withMembers(input), async () => {
          const { nativeId } = await this.app.connector.create(type, withMembers(input), this.connectorContext(ctx, claim));
          return this.app.store.create(this.app.name, type, this.stored(type, input, nativeId), {
            ...this.writeOptions(claim),
            audit: auditFor(201),
          });
        }),
      );
      return { result: { resource: renderResource(record, ctx.baseUrl), version: record.version }, id: record.id, audited: true, status: 201 };
    });
  }

  async replace(type: ResourceTypeName, id: string, body: unknown, ctx: RequestContext, ifMatch?: string): Promise<ResourceResult> {
    return this.audit('replace', type, id, ctx, async (auditFor) => {
      const input = this.toWriteInput(type, body);
      // Groups: a PUT without `members` leaves the group with none (full replace, RFC 7644 §3.5.1).
      const { record } = await this.update(type, id, ctx, ifMatch, () => input, auditFor);
      return { result: await this.renderOne(record, ctx), id, audited: true, status: 200 };
    });
  }

  async patch(type: ResourceTypeName, id: string, body: unknown, ctx: RequestContext, ifMatch?: string): Promise<ResourceResult> {
    return this.audit('patch', type, id, ctx, async (auditFor) => {
      // The door made the body strict RFC 7644 (src/http/dialect.ts), a dialect's expansion of member lists included.
      const ops = parsePatchMessage(body, MAX_NORMALIZED_OPERATIONS);
      const { record, changed } = await this.update(
        type,
        id,
        ctx,
        ifMatch,
        (current) => {
          const after = canonicalizeResource(applyPatch(resourceBody(current), ops, this.ctx(type)), this.ctx(type));
          // What is stored was canonicalized when it was written: compare with it as it is.
          return sameResourceValues(after, withMembers(current)) ? undefined : this.splitMembers(type, after);
        },
        auditFor,
      );
      // Nothing changed: no write anywhere, the version (ETag) stays, and the audit row is written apart.
      return { result: await this.renderOne(record, ctx), id, audited: changed, status: 200 };
    });
  }

  async delete(type: ResourceTypeName, id: string, ctx: RequestContext, ifMatch?: string): Promise<void> {
    await this.audit('delete', type, id, ctx, async (auditFor) => {
      const claim = await this.reserve(type, { purpose: 'delete', id });
      await this.underClaim(claim, async () => {
        const current = await this.app.store.get(this.app.name, type, id, { withMembers: type === 'Group' });
        if (!current) throw notFound(`${type} ${id} not found`);
        checkIfMatch(ifMatch, current.version);
        await this.withAffected(type, resourceBody(current), undefined, async () => {
          if (current.nativeId !== undefined) {
            await this.app.connector.delete(type, current.nativeId, resourceBody(current), this.connectorContext(ctx));
          }
          // The row names what was deleted, as it was: its history stays findable by name.
          const name = nameOf(type, current.data);
          const audit = { ...auditFor(204), ...(name === undefined ? {} : { resourceName: name }), ...(current.nativeId === undefined ? {} : { nativeId: current.nativeId }) };
          const deleted = await this.app.store.delete(this.app.name, type, id, { ...this.writeOptions(claim), ifVersion: current.version, audit });
          if (!deleted) throw notFound(`${type} ${id} not found`);
        });
      });
      return { result: undefined, id, audited: true, status: 204 };
    });
  }

  /**
   * PUT and PATCH: read, compute the new state, claim the resource (and any unique key the new state
   * takes), bring the native record along, commit. When the resource changed between the read and the
   * claim (or, unclaimed, before the commit), the new state is computed again from the newer one.
   */
  private async update(
    type: ResourceTypeName,
    id: string,
    ctx: RequestContext,
    ifMatch: string | undefined,
    next: (current: ResourceRecord) => WriteInput | undefined,
    auditFor: AuditFor,
  ): Promise<{ record: ResourceRecord; changed: boolean }> {
    for (let attempt = 1; ; attempt += 1) {
      const retry = ifMatch === undefined && attempt < MAX_WRITE_ATTEMPTS;
      // A user's groups come along in the same read: the answer shows them, and no second query is needed.
      const current = await this.app.store.get(this.app.name, type, id, { withMembers: type === 'Group', withGroups: type === 'User' });
      if (!current) throw notFound(`${type} ${id} not found`);
      checkIfMatch(ifMatch, current.version);
      const input = next(current);
      if (!input) return { record: current, changed: false };
      const claim = await this.reserve(type, { purpose: 'update', id, data: input.data });
      if (claim && claim.version !== current.version) {
        await this.release(claim);
        if (retry) continue;
        throw preconditionFailed('The resource was changed by another request');
      }
      try {
        const record = await this.underClaim(
          claim,
          () =>
            this.withAffected(type, resourceBody(current), withMembers(input), async () => {
              const nativeId = await this.updateDownstream(type, current, withMembers(input), ctx);
              return this.app.store.replace(this.app.name, type, id, this.stored(type, input, nativeId), {
                ...this.writeOptions(claim),
                ifVersion: current.version,
                audit: auditFor(200),
              });
            }),
          { retryOnVersionMismatch: retry },
        );
        // A user's write changes none of its memberships: the groups read with it are still its groups.
        if (current.groups) record.groups = current.groups;
        return { record, changed: true };
      } catch (error) {
        // Unclaimed (the store connector): another request committed first; apply this one to its result.
        if (error instanceof RetryableConflict) continue;
        throw error;
      }
    }
  }

  /**
   * Claims what the write will take, waiting briefly while another write holds the same resource. Only a
   * write with native work needs a claim: the store connector's commit checks uniqueness and the version
   * in its own transaction, which is all a claim would add.
   */
  private async reserve(type: ResourceTypeName, request: Omit<ReserveRequest, 'leaseMs' | 'uniqueGroupDisplayName'>): Promise<Claim | undefined> {
    if (!this.app.connector.native) return undefined;
    const full: ReserveRequest = { ...request, uniqueGroupDisplayName: this.app.uniqueGroupDisplayName, leaseMs: this.app.claims.leaseMs };
    const deadline = Date.now() + this.app.claims.waitMs;
    for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
      try {
        return await this.app.store.reserve(this.app.name, type, full);
      } catch (error) {
        // A create racing another create of the same name is a uniqueness conflict at once (storeCall);
        // an update waits for the write in progress on its resource to finish.
        const busy = error instanceof StoreError && error.code === 'claimed' && request.purpose !== 'create';
        if (!busy) return storeCall(() => Promise.reject(error));
        if (Date.now() + pause > deadline) throw serviceUnavailable('The resource is being changed by another request; try again', RETRY_AFTER_SECONDS, error);
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  /** Runs the act and the commit under the claim; on any failure the claim is released and nothing was committed. */
  private async underClaim<T>(claim: Claim | undefined, work: () => Promise<T>, options: { retryOnVersionMismatch?: boolean } = {}): Promise<T> {
    try {
      return await storeCall(work, options);
    } catch (error) {
      if (claim) await this.release(claim);
      throw error;
    }
  }

  /**
   * Runs `work` holding claims on the other resources the connector changes natively for this write (a
   * group's members, when the API keeps membership on each user), so no other write changes them
   * meanwhile; they are released afterwards, nothing being committed under them. Claimed in id order, so
   * two such writes never wait for each other in a circle.
   */
  private async withAffected<T>(type: ResourceTypeName, before: JsonObject | undefined, after: JsonObject | undefined, work: () => Promise<T>): Promise<T> {
    const affected = this.app.connector.affects?.(type, before, after);
    const claims: Claim[] = [];
    try {
      for (const id of affected?.ids ?? []) {
        try {
          const claim = await this.reserve(affected!.type, { purpose: 'update', id });
          if (claim) claims.push(claim);
        } catch (error) {
          // Not a resource of the app: the commit refuses it as a missing member.
          if (!(error instanceof ScimError && error.status === 404)) throw error;
        }
      }
      return await work();
    } finally {
      await Promise.all(claims.map((claim) => this.release(claim)));
    }
  }

  private async release(claim: Claim | undefined): Promise<void> {
    if (!claim) return;
    // Best effort: a claim that cannot be released now lapses with its lease.
    await this.app.store.release(claim).catch((error: unknown) => this.log.warn({ err: error }, 'claim release failed; it lapses with its lease'));
  }

  /**
   * What the store keeps of a write: the connector was handed the whole resource, write-only attributes
   * (a password) included; the store keeps none of them, and the native id when there is one.
   */
  private stored(type: ResourceTypeName, input: WriteInput, nativeId: string | undefined): WriteInput {
    const data = withoutWriteOnly(input.data, this.ctx(type));
    return nativeId === undefined ? { ...input, data } : { ...input, data, nativeId };
  }

  private writeOptions(claim: Claim | undefined): WriteOptions {
    return { uniqueGroupDisplayName: this.app.uniqueGroupDisplayName, ...(claim ? { claim } : {}) };
  }

  /**
   * A filter that found nothing in the store may name a record that exists downstream already (created
   * before the gateway, or by hand): the connector looks it up and the gateway adopts it rather than let
   * the client create a duplicate.
   */
  private async adopt(type: ResourceTypeName, filter: FilterNode | undefined, ctx: RequestContext): Promise<ResourceRecord | undefined> {
    const lookup = filter && nativeLookupOf(this.app.registry, type, filter);
    if (!lookup || !this.app.connector.canFind(type, lookup.path)) return undefined;
    // Entra looks a user up by userName and creates it when the answer is empty: the search is made under
    // the name's claim, so that when it finds nothing the create that follows can take the claim over
    // with that answer instead of searching again (one native search per new user, not two).
    let claim = type === 'User' && lookup.path === 'userName' ? await this.lookupClaim(lookup.value) : undefined;
    try {
      let absent: string | undefined;
      const match = await this.app.connector.find(type, lookup, {
        ...this.connectorContext(ctx),
        onAbsent: (value) => {
          absent = value;
        },
      });
      if (!match) {
        if (claim && absent !== undefined && (await this.park(claim, absent))) claim = undefined;
        return undefined;
      }
      // Already linked to another resource (whose attributes differ from the filter): nothing to adopt.
      if (await this.app.store.findByNativeId(this.app.name, type, match.nativeId)) return undefined;
      return await this.adoptMatch(type, match, ctx, claim && { claim, userName: lookup.value });
    } finally {
      // Parked claims stay; any other goes (after an adoption committed under it, there is nothing left to release).
      await this.release(claim);
    }
  }

  /**
   * A lookup's claim on a userName (Store reserve purpose 'lookup'): it yields to every write, so it
   * never makes a create wait or fail. None when the name is claimed or taken already, or the store
   * cannot give one now: the lookup then searches without it, and its answer serves nobody else.
   */
  private async lookupClaim(userName: string): Promise<Claim | undefined> {
    if (!this.app.connector.native) return undefined;
    try {
      return await this.app.store.reserve(this.app.name, 'User', { purpose: 'lookup', data: { userName }, leaseMs: this.app.claims.leaseMs });
    } catch (error) {
      if (error instanceof StoreError) return undefined;
      throw error;
    }
  }

  /** Leaves the lookup's claim with its negative answer for the create that follows; false when it is gone. */
  private async park(claim: Claim, absent: string): Promise<boolean> {
    const leaseMs = Math.min(ABSENT_NOTE_MS, this.app.claims.leaseMs);
    return this.app.store.park(claim, { value: absent, at: new Date().toISOString() }, leaseMs).catch((error: unknown) => {
      this.log.warn({ err: error }, 'could not park a lookup claim; the create that follows searches again');
      return false;
    });
  }

  /** Stores a native record found by a lookup as a new resource linked to it, under the lookup's claim when it covers its userName. */
  private adoptMatch(
    type: ResourceTypeName,
    match: NativeMatch,
    ctx: RequestContext,
    lookup: { claim: Claim; userName: string } | undefined,
  ): Promise<ResourceRecord> {
    return this.audit('adopt', type, undefined, ctx, async (auditFor) => {
      const input = this.splitMembers(type, canonicalizeResource(match.resource, this.ctx(type)));
      const { userName } = input.data;
      const covered = lookup !== undefined && typeof userName === 'string' && foldCase(userName) === foldCase(lookup.userName);
      const claim = covered ? lookup.claim : await this.reserve(type, { purpose: 'create', data: input.data });
      const record = await this.underClaim(claim, () =>
        this.app.store.create(this.app.name, type, { ...input, nativeId: match.nativeId }, { ...this.writeOptions(claim), audit: auditFor(201) }),
      );
      this.log.info({ reqId: ctx.requestId, type, id: record.id, nativeId: match.nativeId }, 'adopted a downstream record');
      return { result: record, id: record.id, audited: true, status: 201 };
    });
  }

  /** Brings the native record along; returns the native id when the resource only now got one. */
  private async updateDownstream(type: ResourceTypeName, current: ResourceRecord, after: JsonObject, ctx: RequestContext): Promise<string | undefined> {
    const cctx = this.connectorContext(ctx);
    if (current.nativeId === undefined) {
      // Stored before this app had a connector (or by the store connector): create it downstream now.
      return (await this.app.connector.create(type, after, cctx)).nativeId;
    }
    await this.app.connector.update(type, current.nativeId, resourceBody(current), after, cctx);
    return undefined;
  }

  /** What the connector may ask of the store; a create under a claim that inherited a negative search gets it. */
  private connectorContext(ctx: RequestContext, claim?: Claim): ConnectorContext {
    const { store, name } = this.app;
    return {
      ...(claim?.note ? { knownAbsent: claim.note.value } : {}),
      nativeIdOf: batchedNativeIds((type, ids) => store.nativeIdsOf(name, type, ids)),
      scimIdOf: async (type, nativeId) => (await store.findByNativeId(name, type, nativeId))?.id,
      groupsOf: async (userId) => ((await store.groupsOf(name, [userId])).get(userId) ?? []).map((g) => g.value),
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

  /** Schema (the door undid the dialect): the canonical data and (groups) the member list to store. */
  private toWriteInput(type: ResourceTypeName, body: unknown) {
    return this.splitMembers(type, canonicalizeResource(body, this.ctx(type)));
  }

  /** Every write's canonical resource passes here: refused if a store could not hold it, then split. */
  private splitMembers(type: ResourceTypeName, canonical: JsonObject): { data: JsonObject; members?: MemberRecord[] } {
    assertStorable(canonical);
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

  /**
   * Users carry their groups when the read asked the store for them (`withGroups`); only users read
   * without them (a scan's chunk, an adopted record) cost a lookup, one for all of them.
   */
  private async renderAll(records: ResourceRecord[], ctx: RequestContext, projection: Projection): Promise<JsonObject[]> {
    const wanted = this.wants('User', 'groups', projection);
    const lacking = wanted ? records.filter((r) => r.type === 'User' && r.groups === undefined).map((r) => r.id) : [];
    const looked = lacking.length > 0 ? await this.app.store.groupsOf(this.app.name, lacking) : undefined;
    return records.map((r) => renderResource(r, ctx.baseUrl, wanted ? (r.groups ?? looked?.get(r.id)) : undefined));
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
