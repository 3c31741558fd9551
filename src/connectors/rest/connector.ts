/**
 * The REST connector: runs a compiled plugin against a native API through a NativeClient. It maps SCIM
 * to native fields, sends only what changed, resolves references through the id map, adopts a native
 * record it finds instead of creating a second one, reads back what the plugin asks it to verify, and
 * translates every failure into a ScimError once, here. A write the native API did not apply is never
 * reported as success.
 */
import type { Logger } from 'pino';
import { badGateway, invalidValue, mutability, ScimError, uniqueness } from '../../scim/errors.js';
import { USER_SCHEMA, GROUP_SCHEMA } from '../../scim/schemas/core.js';
import type { ResourceTypeName } from '../../scim/schemas/registry.js';
import type { JsonObject } from '../../store/types.js';
import { lookupKey, mapRecord, MappingError, writeFields, type PluginHooks } from '../../plugins/index.js';
import { sentBy } from '../../plugins/mapping.js';
import { getNative, setNative } from '../../plugins/native-paths.js';
import { idFromLocation, renderPath, renderValue } from '../../plugins/templates.js';
import type { ActiveMode, CompiledOperation, CompiledPlugin, CompiledResource, CompiledWrite } from '../../plugins/types.js';
import { DownstreamError, type NativeClient, type NativeRequest, type NativeResponse } from '../http/types.js';
import type { Connector, ConnectorContext, FieldDifference, NativeLookup, NativeMatch, NativePage, NativeRecord, Reconcilable } from '../types.js';
import { describeSearch, type ConnectorDecision } from './decisions.js';
import { wrapFields } from './envelope.js';
import { atEdge, fromNativeResponse, NativeResponseError } from './errors.js';
import { leaveEveryGroup, membersOf, writeMemberships } from './membership.js';
import { listNativePage } from './list.js';
import { FIRST_PAGE, type PagePosition } from './paging.js';
import { searchNative, type SearchHit } from './search.js';
import { unappliedFields } from './verify.js';

export type { ConnectorDecision } from './decisions.js';

export interface RestConnectorOptions {
  /** Bound to the plugin's name already (createRestConnector): lines here add no "plugin" key, which would be written twice. */
  log: Logger;
  /** The clock behind `{today}`, `{now}` and `{"var": "now"}`. */
  now?: () => Date;
  /** Every adoption decision and read-back verdict, for the audit trail. */
  onDecision?: (decision: ConnectorDecision) => void;
  /** explain: read-backs are sent (so they show) but not compared. */
  dryRun?: boolean;
}

/** A create whose answer was lost is searched for and, when it did not land, sent again at most this often. */
const MAX_CREATE_ATTEMPTS = 3;

const isActive = (resource: JsonObject) => resource.active !== false;

/** What a flag value means: true (an active state), false (an inactive one), undefined (neither). */
function stateMeaning(flag: Extract<ActiveMode, { mode: 'flag' }>, value: unknown): boolean | undefined {
  const key = JSON.stringify(value);
  if (flag.states.inactive.some((v) => JSON.stringify(v) === key)) return false;
  return flag.states.active.some((v) => JSON.stringify(v) === key) ? true : undefined;
}

/** A list position from reconcile's checkpoint (it came from listPage; a bad one starts over). */
function positionOf(cursor: string): PagePosition {
  try {
    const parsed = JSON.parse(cursor) as Partial<PagePosition>;
    if (typeof parsed.index !== 'number' || !Number.isInteger(parsed.index) || parsed.index < 0) return FIRST_PAGE;
    return {
      index: parsed.index,
      ...(typeof parsed.cursor === 'string' ? { cursor: parsed.cursor } : {}),
      ...(typeof parsed.link === 'string' ? { link: parsed.link } : {}),
    };
  } catch {
    return FIRST_PAGE;
  }
}

/** Failures after which a POST may or may not have happened natively. */
export const ambiguous = (error: unknown) => error instanceof DownstreamError && (error.kind === 'timeout' || error.kind === 'network' || error.kind === 'http');

type Values = Map<string, unknown>;
type Why = 'create' | 'lookup' | 'retry' | 'new id';

export class RestConnector implements Connector {
  readonly native = true;

  constructor(
    private readonly plugin: CompiledPlugin,
    private readonly client: NativeClient,
    private readonly baseUrl: string,
    private readonly options: RestConnectorOptions,
  ) {}

  async create(type: ResourceTypeName, resource: JsonObject, ctx: ConnectorContext): Promise<{ nativeId?: string }> {
    return this.edge(async () => {
      const r = this.resourceOf(type);
      if (!r) return {};
      const values = await this.toNative(r, resource, ctx, 'error');
      // The search value comes from the mapped fields, not from the body a hook may have rewritten.
      const searchValue = this.searchValueOf(r, values);
      if (searchValue !== undefined && this.knownAbsent(r, ctx, searchValue)) {
        this.decide({ kind: 'adoption', type: r.type, operation: r.operations.search!.name, outcome: 'none', detail: 'no search before the create: the lookup that held this userName\'s claim found no record for the same value' });
      } else if (searchValue !== undefined) {
        const existing = await this.findOne(r, searchValue, 'create');
        if (existing) {
          await this.adopt(r, existing, resource, ctx);
          return { nativeId: existing.nativeId };
        }
      }
      const op = r.operations.create;
      if (!op) {
        throw new ScimError(400, undefined, `${this.plugin.name} cannot create ${r.section} through its API; create "${String(searchValue ?? '')}" there first, and it is adopted by name`);
      }
      const nativeId = await this.postCreate(r, values, resource, searchValue);
      await this.verify(r, op, nativeId, values, new Set(r.toNative.fields.filter((f) => sentBy(f, 'create') && values.has(f.target)).map((f) => f.target)));
      // Fields the create cannot carry (`in: [update]`) follow in an update of their own.
      const later = new Set(r.toNative.fields.filter((f) => !sentBy(f, 'create') && values.has(f.target)).map((f) => f.target));
      if (later.size > 0) await this.sendUpdate(r, nativeId, values, later, [], resource);
      if (r.active.mode === 'endpoint' && !isActive(resource)) await this.call(r, 'deactivate', nativeId);
      if (type === 'Group') await this.writeMembers(nativeId, undefined, {}, resource, ctx);
      return { nativeId };
    });
  }

  async update(type: ResourceTypeName, nativeId: string, before: JsonObject, after: JsonObject, ctx: ConnectorContext): Promise<void> {
    return this.edge(async () => {
      const r = this.resourceOf(type);
      if (!r) return;
      await this.bringAlong(r, nativeId, before, after, ctx);
    });
  }

  async delete(type: ResourceTypeName, nativeId: string, resource: JsonObject, ctx: ConnectorContext): Promise<void> {
    return this.edge(async () => {
      const r = this.resourceOf(type);
      if (!r) return;
      if (type === 'Group' && r.delete !== 'native') {
        // The group stays natively (or cannot be deleted): its members leave it, as they leave the gateway's.
        await this.writeMembers(nativeId, typeof resource.id === 'string' ? resource.id : undefined, resource, { ...resource, members: [] }, ctx);
      }
      if (r.delete === 'ignore') return;
      if (r.delete === 'native') return void (await this.call(r, 'delete', nativeId));
      // A deleted user leaves every group, natively too, when membership is kept on the user.
      const leave = await leaveEveryGroup(this.plugin.groups?.members, resource, ctx);
      if (!isActive(resource) && r.active.mode !== 'flag') {
        if (leave) await this.sendFields(r, nativeId, leave, resource);
        return;
      }
      switch (r.active.mode) {
        case 'flag': {
          const body = writeFields(r.toNative, new Map([[r.active.field, r.active.inactive]]), new Set([r.active.field]));
          return void (await this.sendFields(r, nativeId, { ...body, ...leave }, resource));
        }
        case 'endpoint':
          if (leave) await this.sendFields(r, nativeId, leave, resource);
          return void (await this.call(r, 'deactivate', nativeId));
        case 'delete':
          return void (await this.call(r, 'delete', nativeId));
        case 'ignore':
          if (leave) await this.sendFields(r, nativeId, leave, resource);
          return;
      }
    });
  }

  canFind(type: ResourceTypeName, path: string): boolean {
    const r = this.resourceOf(type);
    const search = r?.operations.search;
    if (!r || !search) return false;
    const key = lookupKey(path, r.scope.registry, type);
    return key !== undefined && search.by.has(key);
  }

  async find(type: ResourceTypeName, lookup: NativeLookup, ctx: ConnectorContext): Promise<NativeMatch | undefined> {
    return this.edge(async () => {
      const r = this.resourceOf(type);
      if (!r || !this.canFind(type, lookup.path)) return undefined;
      const hit = await this.findOne(r, lookup.value, 'lookup', ctx.onAbsent);
      if (!hit) return undefined;
      return { nativeId: hit.nativeId, resource: await this.toScim(r, hit, ctx) };
    });
  }

  /** Reconcile's view of the native side: only when the plugin lists users (`users.operations.list`). */
  get reconcile(): Reconcilable | undefined {
    if (!this.plugin.users.operations.list) return undefined;
    return {
      listPage: (type, cursor, ctx) => this.edge(() => this.listPage(type, cursor, ctx)),
      readNative: (type, nativeId, ctx) => this.edge(() => this.readNative(type, nativeId, ctx)),
      differences: (type, record, gateway, ctx) => this.edge(() => this.differences(type, record, gateway, ctx)),
      repair: (type, record, gateway, ctx) =>
        this.edge(async () => {
          const r = this.resourceOf(type)!;
          await this.bringAlong(r, record.nativeId, record.resource, gateway, ctx, this.hitOf(record));
        }),
    };
  }

  /** Which other resources a write will change natively (membership kept on users): the service claims them too. */
  affects(type: ResourceTypeName, before: JsonObject | undefined, after: JsonObject | undefined): { type: ResourceTypeName; ids: string[] } | undefined {
    if (type !== 'Group' || this.plugin.groups?.members.on !== 'user') return undefined;
    const old = membersOf(before);
    const next = membersOf(after);
    const ids = [...new Set([...old, ...next])].filter((id) => old.has(id) !== next.has(id)).sort();
    return ids.length > 0 ? { type: 'User', ids } : undefined;
  }

  /** What the native API cannot do that a client may try (the app's ServiceProviderConfig says it). */
  limitations(): string[] {
    const groups = this.plugin.groups;
    if (!groups) return [`${this.plugin.name} has no groups: the gateway keeps them`];
    if (groups.create === 'never') return [`${this.plugin.name} cannot create groups through its API: a group created here must exist there already (adopted by name)`];
    return [];
  }

  /** Closes the native client (keep-alive sockets, token cache). */
  async close(): Promise<void> {
    await this.client.close();
  }

  // ---- reconcile ------------------------------------------------------------------------------

  private async listPage(type: ResourceTypeName, cursor: string | undefined, ctx: ConnectorContext): Promise<NativePage> {
    const r = this.resourceOf(type);
    const list = r?.operations.list;
    if (!r || !list) return { records: [] };
    const at = cursor === undefined ? FIRST_PAGE : positionOf(cursor);
    const page = await listNativePage(list, at, this.baseUrl, (req) => this.send(r, list, { ...req, idempotent: true }));
    const records: NativeRecord[] = [];
    for (const listed of page.hits) {
      const hit = list.thenRead ? await this.readRecord(r, listed.nativeId) : listed;
      records.push(await this.nativeRecord(r, hit, ctx));
    }
    return { records, ...(page.next ? { next: JSON.stringify(page.next) } : {}), ...(page.total === undefined ? {} : { total: page.total }) };
  }

  private async readNative(type: ResourceTypeName, nativeId: string, ctx: ConnectorContext): Promise<NativeRecord | null | undefined> {
    const r = this.resourceOf(type);
    if (!r?.operations.read) return undefined;
    try {
      return await this.nativeRecord(r, await this.readRecord(r, nativeId), ctx);
    } catch (error) {
      // Only the API's own 404 means gone; any other failure is not evidence either way.
      if (error instanceof ScimError && error.status === 404 && error.cause instanceof NativeResponseError) return null;
      throw error;
    }
  }

  private async differences(type: ResourceTypeName, record: NativeRecord, gateway: JsonObject, ctx: ConnectorContext): Promise<FieldDifference[]> {
    const r = this.resourceOf(type)!;
    const plan = await this.changesOf(r, record.resource, gateway, ctx, this.hitOf(record));
    const fields = [...plan.changed, ...plan.frozen].map((field) => ({ field, native: plan.old.get(field) ?? null, gateway: plan.now.get(field) ?? null }));
    // Deactivation by endpoint or delete is no field: the state is compared as SCIM says it.
    const [was, is] = [isActive(record.resource), isActive(gateway)];
    if ((r.active.mode === 'endpoint' || r.active.mode === 'delete') && was !== is) fields.push({ field: 'active', native: was, gateway: is });
    return fields;
  }

  private async nativeRecord(r: CompiledResource, hit: SearchHit, ctx: ConnectorContext): Promise<NativeRecord> {
    const match = r.operations.search?.match;
    const value = match === undefined ? undefined : getNative(hit.view, match);
    const matchValue = typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
    return { nativeId: hit.nativeId, resource: await this.toScim(r, hit, ctx), raw: hit.record, view: hit.view, ...(matchValue === undefined || matchValue === '' ? {} : { matchValue }) };
  }

  private hitOf(record: NativeRecord): SearchHit {
    return { nativeId: record.nativeId, record: record.raw, view: record.view };
  }

  // ---- steps ----------------------------------------------------------------------------------

  private resourceOf(type: ResourceTypeName): CompiledResource | undefined {
    return type === 'User' ? this.plugin.users : this.plugin.groups;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private toNative(r: CompiledResource, resource: JsonObject, ctx: ConnectorContext, unresolved: 'error' | 'placeholder'): Promise<Values> {
    return mapRecord(r.toNative, resource, {
      resolve: (type, id) => ctx.nativeIdOf(type, id),
      unresolved,
      now: this.now().toISOString(),
    });
  }

  /** True when the search a create makes first was answered already, with no record, under the store's claim. */
  private knownAbsent(r: CompiledResource, ctx: ConnectorContext, value: string): boolean {
    // The same value exactly: the API's own filter may compare case, whatever the plugin says of the match.
    return r.operations.search !== undefined && ctx.knownAbsent === value;
  }

  private searchValueOf(r: CompiledResource, values: Values): string | undefined {
    const search = r.operations.search;
    const key = search ? values.get(search.match) : undefined;
    return typeof key === 'string' || typeof key === 'number' ? String(key) : undefined;
  }

  /** A native record (its read view) as a SCIM resource, references translated back to SCIM ids. */
  private async toScim(r: CompiledResource, hit: SearchHit, ctx: ConnectorContext): Promise<JsonObject> {
    let values: Values;
    try {
      values = await mapRecord(r.toScim, hit.view, { resolve: (type, id) => ctx.scimIdOf(type, id), unresolved: 'drop', now: this.now().toISOString() });
    } catch (error) {
      // The native record is not the client's input: its values stay out of the message.
      if (error instanceof MappingError) throw badGateway(`A native ${r.type} record could not be read`, error);
      throw error;
    }
    const body = writeFields(r.toScim, values);
    const extensions = Object.keys(body).filter((k) => k.includes(':'));
    let resource: JsonObject = { schemas: [r.type === 'User' ? USER_SCHEMA : GROUP_SCHEMA, ...extensions], ...body };
    const hooks = await this.plugin.hooks.load();
    resource = (await hooks.afterRead?.(resource, hit.record, { type: r.type, nativeId: hit.nativeId })) ?? resource;
    return resource;
  }

  /** The one native record whose `match` field equals `value`; several are ambiguous. Every decision is logged. */
  private async findOne(r: CompiledResource, value: string, why: Why, onAbsent?: (value: string) => void): Promise<SearchHit | undefined> {
    const search = r.operations.search!;
    const outcome = await searchNative(search, value, this.baseUrl, async (req) => this.send(r, search, { ...req, idempotent: true }));
    const decision = describeSearch(r.type, search, why, outcome);
    this.decide(decision);
    if (outcome.hits.length === 0) onAbsent?.(value);
    if (outcome.hits.length > 1) {
      if (why !== 'lookup') throw uniqueness(`Several ${r.type} records in the downstream system match; none can be adopted`);
      return undefined;
    }
    const hit = outcome.hits[0];
    if (!hit || !search.thenRead) return hit;
    return this.readRecord(r, hit.nativeId);
  }

  /** The record the `read` operation answers, with its read view. */
  private async readRecord(r: CompiledResource, nativeId: string): Promise<SearchHit> {
    const read = r.operations.read!;
    const res = await this.call(r, 'read', nativeId);
    const record = read.record === undefined ? res.body : getNative(res.body, read.record);
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw badGateway(`The downstream system answered a read with no ${r.type}`);
    return { nativeId, record: record as JsonObject, view: read.view(record as JsonObject) };
  }

  /** Brings an existing native record in line with the resource: what differs between them is sent, as for an update. */
  private async adopt(r: CompiledResource, hit: SearchHit, resource: JsonObject, ctx: ConnectorContext): Promise<void> {
    const native = await this.toScim(r, hit, ctx);
    await this.bringAlong(r, hit.nativeId, native, resource, ctx, hit);
  }

  /**
   * The native record from `before` to `after`: state changes, the changed fields (create-only ones
   * refused or reported, as the plugin says), a read-back when asked, and memberships kept on users.
   */
  private async bringAlong(r: CompiledResource, nativeId: string, before: JsonObject, after: JsonObject, ctx: ConnectorContext, adopting?: SearchHit): Promise<void> {
    const was = isActive(before);
    const is = isActive(after);
    if (r.active.mode === 'delete') {
      if (!was && !is) return; // the native record went with the deactivation
      if (was && !is) return void (await this.call(r, 'delete', nativeId));
      if (!was && is) throw invalidValue(`${this.plugin.name} deactivates by deleting: a deactivated ${r.type} cannot be reactivated`);
    }
    const { now, changed, removed, frozen } = await this.changesOf(r, before, after, ctx, adopting);
    const refused = r.toNative.fields.filter((f) => f.createOnly === 'refuse' && frozen.has(f.target)).map((f) => f.target);
    if (refused.length > 0) throw mutability(`${this.plugin.name} takes ${refused.join(', ')} only when the ${r.type} is created; it cannot be changed`);
    const reported = [...frozen];

    if (r.active.mode === 'endpoint' && !was && is) await this.call(r, 'reactivate', nativeId);
    const clears = removed.filter((f) => changed.has(f.target)).map((f) => [f.clearAt ?? f.target, f.clear] as const);
    if (changed.size > 0) await this.sendUpdate(r, nativeId, now, changed, clears, after);
    if (r.active.mode === 'endpoint' && was && !is) await this.call(r, 'deactivate', nativeId);
    if (r.type === 'Group') await this.writeMembers(nativeId, typeof before.id === 'string' ? before.id : undefined, before, after, ctx);
    if (reported.length > 0) {
      throw mutability(`${this.plugin.name} takes ${reported.join(', ')} only when the ${r.type} is created: the other changes were applied, not this one`);
    }
  }

  /**
   * What bringing the native record from `before` to `after` changes, in native terms: `changed` the
   * fields an update sends, `frozen` the changed ones the API takes only at creation (left out of
   * `changed`), `removed` those whose value went away.
   */
  private async changesOf(r: CompiledResource, before: JsonObject, after: JsonObject, ctx: ConnectorContext, adopting?: SearchHit) {
    const [old, now] = await Promise.all([this.toNative(r, before, ctx, 'placeholder'), this.toNative(r, after, ctx, 'error')]);
    const flag = r.active.mode === 'flag' ? r.active : undefined;
    // Adopting: the flag as the native record has it (one of several states, or none), not as SCIM `active` implies.
    if (adopting && flag) old.set(flag.field, getNative(adopting.view, flag.field));
    const match = r.operations.search;
    const same = (target: string) => {
      const a = old.get(target);
      const b = now.get(target);
      // A state that means what is asked stays as it is (an employee on leave is active).
      if (flag && target === flag.field) return stateMeaning(flag, a) === stateMeaning(flag, b);
      // The adoption matched on this field already (emails compare without case).
      if (adopting && match && target === match.match && !match.caseExact && typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
      return JSON.stringify(a) === JSON.stringify(b);
    };
    const updatable = r.toNative.fields.filter((f) => sentBy(f, 'update'));
    const changed = new Set(updatable.filter((f) => !same(f.target)).map((f) => f.target));
    const removed = updatable.filter((f) => old.has(f.target) && !now.has(f.target));
    const frozen = new Set(r.toNative.fields.filter((f) => f.createOnly && changed.has(f.target)).map((f) => f.target));
    for (const target of frozen) changed.delete(target);
    return { old, now, changed, removed, frozen };
  }

  /** An update of the fields in `only` (or every field, for `send: full`), values that went away cleared. */
  private async sendUpdate(r: CompiledResource, nativeId: string, values: Values, only: ReadonlySet<string>, clears: readonly (readonly [string, unknown])[], resource: JsonObject): Promise<void> {
    const op = r.operations.update;
    if (!op) throw mutability(`${this.plugin.name} cannot change ${r.section} through its API (${[...only].join(', ')})`);
    const full = op.send === 'full';
    const sent = full ? new Set(r.toNative.fields.filter((f) => sentBy(f, 'update') && values.has(f.target)).map((f) => f.target)) : only;
    const body = writeFields(r.toNative, values, sent);
    // A value that went away is cleared natively (null unless the plugin says otherwise).
    for (const [at, clear] of clears) setNative(body, at, clear);
    await this.sendFields(r, nativeId, body, resource);
    await this.verify(r, op, nativeId, values, sent);
  }

  /** Sends mapped fields with the update's body around them, after the plugin's hook. */
  private async sendFields(r: CompiledResource, nativeId: string, fields: JsonObject, resource: JsonObject): Promise<NativeResponse> {
    const hooks = await this.plugin.hooks.load();
    let body = wrapFields(r.operations.update!.envelope, fields, { id: nativeId });
    body = (await hooks.beforeUpdate?.(body, { type: r.type, resource, nativeId })) ?? body;
    return this.call(r, 'update', nativeId, body);
  }

  /**
   * POSTs a create. When the answer is lost (timeout, dropped connection, 5xx) the record may exist
   * natively: it is searched for, adopted when found, and only otherwise sent again (an upsert endpoint
   * is simply sent again).
   */
  private async postCreate(r: CompiledResource, values: Values, resource: JsonObject, searchValue: string | undefined): Promise<string> {
    const op = r.operations.create!;
    const hooks: PluginHooks = await this.plugin.hooks.load();
    const fields = writeFields(r.toNative, values, new Set(r.toNative.fields.filter((f) => sentBy(f, 'create')).map((f) => f.target)));
    let body = wrapFields(op.envelope, fields, {});
    body = (await hooks.beforeCreate?.(body, { type: r.type, resource })) ?? body;
    for (let attempt = 1; ; attempt += 1) {
      let res: NativeResponse;
      try {
        res = await this.send(r, op, { method: op.method, path: renderPath(op.path, {}), body, idempotent: op.upsert, ...(op.query ? { query: op.query } : {}) });
      } catch (error) {
        if (!ambiguous(error) || searchValue === undefined || attempt >= MAX_CREATE_ATTEMPTS) throw error;
        this.options.log.warn({ operation: op.name, attempt }, 'create answer lost; searching before trying again');
        const landed = await this.findOne(r, searchValue, 'retry');
        if (landed) return landed.nativeId;
        continue;
      }
      return this.newId(r, res, searchValue);
    }
  }

  /** The new record's id: in the answer (or its Location), else found by a search when the plugin says so. */
  private async newId(r: CompiledResource, res: NativeResponse, searchValue: string | undefined): Promise<string> {
    const where = r.operations.create!.id;
    const id = where.body !== undefined ? getNative(res.body, where.body) : where.location ? idFromLocation(where.location, res.headers.location ?? '') : undefined;
    if ((typeof id === 'string' && id !== '') || typeof id === 'number') return String(id);
    if (where.search && searchValue !== undefined) {
      const found = await this.findOne(r, searchValue, 'new id');
      if (found) return found.nativeId;
    }
    throw badGateway(`The downstream system did not say which id the new ${r.type} has`);
  }

  /**
   * `verify: readBack`: reads the record and compares, in native terms, what was written with what came
   * back (the read view through toScim and toNative again). A difference is an error naming the fields.
   */
  private async verify(r: CompiledResource, op: CompiledWrite, nativeId: string, written: Values, sent: ReadonlySet<string>): Promise<void> {
    if (!op.verify) return;
    const compared = [...sent].filter((t) => r.verifiable.has(t));
    if (compared.length === 0) return;
    const back = await this.readRecord(r, nativeId);
    if (this.options.dryRun) {
      this.decide({ kind: 'verify', type: r.type, operation: op.name, outcome: 'explained', nativeId, detail: `read back with ${r.operations.read!.name} and compare ${compared.join(', ')}` });
      return;
    }
    let differing: string[];
    try {
      differing = await unappliedFields(r, back.view, written, compared, this.now().toISOString());
    } catch (error) {
      if (error instanceof MappingError) throw badGateway(`The ${r.type} read back after ${op.name} could not be read`, error);
      throw error;
    }
    if (differing.length === 0) {
      this.decide({ kind: 'verify', type: r.type, operation: op.name, outcome: 'applied', nativeId, detail: `read back: ${compared.join(', ')} as written` });
      return;
    }
    this.options.log.warn({ operation: op.name, nativeId, fields: differing }, 'native write not applied: the read-back differs');
    this.decide({ kind: 'verify', type: r.type, operation: op.name, outcome: 'differs', nativeId, detail: `read back: ${differing.join(', ')} not as written` });
    throw invalidValue(`${this.plugin.name} did not apply ${differing.join(', ')} (read back after ${op.name}); nothing was reported as done`);
  }

  /** Memberships kept on users: each member that joined or left gets its whole list of groups written. */
  private async writeMembers(groupNativeId: string, groupScimId: string | undefined, before: JsonObject, after: JsonObject, ctx: ConnectorContext): Promise<void> {
    const groups = this.plugin.groups;
    if (groups?.members.on !== 'user') return;
    await writeMemberships(
      { users: this.plugin.users, members: groups.members, name: this.plugin.name },
      { groupNativeId, ...(groupScimId === undefined ? {} : { groupScimId }), before, after },
      ctx,
      (userNativeId, fields, resource) => this.sendFields(this.plugin.users, userNativeId, fields, resource),
    );
  }

  /** Renders and sends one of the resource's operations for a native id. */
  private call(r: CompiledResource, kind: 'read' | 'update' | 'delete' | 'deactivate' | 'reactivate', nativeId: string, body?: JsonObject | unknown[]): Promise<NativeResponse> {
    const op = r.operations[kind];
    if (!op) throw new Error(`${this.plugin.name}: ${r.section}.operations.${kind} is missing`); // compile.ts guarantees it
    const now = this.now();
    const params = { id: nativeId, today: now.toISOString().slice(0, 10), now: now.toISOString() };
    const payload = body ?? (op.body === undefined ? undefined : renderValue(op.body, params));
    return this.send(r, op, {
      method: op.method,
      path: renderPath(op.path, params),
      ...(op.query ? { query: renderValue(op.query, params) as NativeRequest['query'] } : {}),
      ...(payload === undefined ? {} : { body: payload }),
      // Repeating any of these changes nothing twice (only a create can duplicate).
      idempotent: true,
    });
  }

  /** One native call; an error answer (or a 2xx one a plugin rule calls a failure) becomes the SCIM error the rules give. */
  private async send(r: CompiledResource, op: CompiledOperation, req: Omit<NativeRequest, 'operation'>): Promise<NativeResponse> {
    const res = await this.client.request({ ...req, operation: op.name });
    const error = fromNativeResponse(res, op.name, this.plugin.errors, r.type);
    if (!error) return res;
    const ok = res.status < 300;
    this.options.log.warn(
      { operation: op.name, status: res.status, scimStatus: error.status },
      ok ? 'native answer says done but a plugin rule calls it a failure' : 'native call refused',
    );
    throw error;
  }

  private decide(decision: ConnectorDecision): void {
    const level = decision.outcome === 'differs' || decision.outcome === 'ambiguous' ? 'warn' : 'info';
    this.options.log[level]({ ...decision }, `${decision.kind} decision: ${decision.outcome}`);
    try {
      this.options.onDecision?.(decision);
    } catch {
      this.options.log.warn({}, 'decision listener threw');
    }
  }

  /** Every failure leaves as a ScimError (downstream trouble, native refusals, unmappable values). */
  private edge<T>(work: () => Promise<T>): Promise<T> {
    return atEdge(work, this.options.log);
  }
}
