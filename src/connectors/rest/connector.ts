/**
 * The REST connector: runs a compiled plugin against a native API through a NativeClient. It maps SCIM
 * to native fields, sends only what changed, resolves references through the id map, adopts a native
 * record it finds instead of creating a second one, and translates every failure into a ScimError
 * once, here.
 */
import type { Logger } from 'pino';
import { badGateway, invalidValue, uniqueness } from '../../scim/errors.js';
import { USER_SCHEMA, GROUP_SCHEMA } from '../../scim/schemas/core.js';
import type { ResourceTypeName } from '../../scim/schemas/registry.js';
import type { JsonObject } from '../../store/types.js';
import { lookupKey, mapRecord, MappingError, writeFields, type PluginHooks } from '../../plugins/index.js';
import { getNative, setNative } from '../../plugins/native-paths.js';
import { idFromLocation, renderPath, renderValue } from '../../plugins/templates.js';
import type { CompiledOperation, CompiledPlugin, CompiledResource } from '../../plugins/types.js';
import { DownstreamError, type NativeClient, type NativeRequest, type NativeResponse } from '../http/types.js';
import type { Connector, ConnectorContext, NativeLookup, NativeMatch } from '../types.js';
import { fromNativeResponse, toScimError } from './errors.js';
import { searchNative, type SearchHit } from './search.js';

export interface RestConnectorOptions {
  log: Logger;
  /** The clock behind `{today}`, `{now}` and `{"var": "now"}`. */
  now?: () => Date;
}

/** A create whose answer was lost is searched for and, when it did not land, sent again at most this often. */
const MAX_CREATE_ATTEMPTS = 3;

const isActive = (resource: JsonObject) => resource.active !== false;

/** Failures after which a POST may or may not have happened natively. */
const ambiguous = (error: unknown) => error instanceof DownstreamError && (error.kind === 'timeout' || error.kind === 'network' || error.kind === 'http');

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
      const hooks = await this.plugin.hooks.load();
      const values = await this.toNative(r, resource, ctx, 'error');
      let body = writeFields(r.toNative, values);
      body = (await hooks.beforeCreate?.(body, { type, resource })) ?? body;

      const search = r.operations.search;
      const key = search ? getNative(body, search.match) : undefined;
      const searchValue = typeof key === 'string' || typeof key === 'number' ? String(key) : undefined;
      if (searchValue !== undefined) {
        const existing = await this.findOne(r, searchValue, true);
        if (existing) {
          await this.adopt(r, existing, resource, values, hooks);
          return { nativeId: existing.nativeId };
        }
      }
      const nativeId = await this.postCreate(r, body, searchValue);
      if (r.active.mode === 'endpoint' && !isActive(resource)) await this.call(r, 'deactivate', nativeId);
      return { nativeId };
    });
  }

  async update(type: ResourceTypeName, nativeId: string, before: JsonObject, after: JsonObject, ctx: ConnectorContext): Promise<void> {
    return this.edge(async () => {
      const r = this.resourceOf(type);
      if (!r) return;
      const was = isActive(before);
      const is = isActive(after);
      if (r.active.mode === 'delete') {
        if (!was && !is) return; // the native record went with the deactivation
        if (was && !is) return void (await this.call(r, 'delete', nativeId));
        if (!was && is) throw invalidValue(`${this.plugin.name} deactivates by deleting: a deactivated ${type} cannot be reactivated`);
      }
      if (r.active.mode === 'endpoint' && !was && is) await this.call(r, 'reactivate', nativeId);

      const [old, now] = await Promise.all([this.toNative(r, before, ctx, 'placeholder'), this.toNative(r, after, ctx, 'error')]);
      const changed = new Set<string>();
      const removed = r.toNative.fields.filter((f) => old.has(f.target) && !now.has(f.target));
      for (const field of r.toNative.fields) {
        if (JSON.stringify(old.get(field.target)) !== JSON.stringify(now.get(field.target))) changed.add(field.target);
      }
      if (changed.size > 0) {
        const hooks = await this.plugin.hooks.load();
        let body = writeFields(r.toNative, now, r.operations.update.send === 'full' ? undefined : changed);
        // A value that went away is cleared natively (null unless the plugin says otherwise).
        for (const field of removed) setNative(body, field.clearAt ?? field.target, field.clear);
        body = (await hooks.beforeUpdate?.(body, { type, resource: after, nativeId })) ?? body;
        await this.call(r, 'update', nativeId, body);
      }
      if (r.active.mode === 'endpoint' && was && !is) await this.call(r, 'deactivate', nativeId);
    });
  }

  async delete(type: ResourceTypeName, nativeId: string, resource: JsonObject, _ctx: ConnectorContext): Promise<void> {
    return this.edge(async () => {
      const r = this.resourceOf(type);
      if (!r || r.delete === 'ignore') return;
      if (r.delete === 'native') return void (await this.call(r, 'delete', nativeId));
      // delete: deactivate — unless the resource is inactive already.
      if (!isActive(resource) && r.active.mode !== 'flag') return;
      switch (r.active.mode) {
        case 'flag': {
          const body = writeFields(r.toNative, new Map([[r.active.field, r.active.inactive]]), new Set([r.active.field]));
          return void (await this.call(r, 'update', nativeId, body));
        }
        case 'endpoint':
          return void (await this.call(r, 'deactivate', nativeId));
        case 'delete':
          return void (await this.call(r, 'delete', nativeId));
        case 'ignore':
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
      const hit = await this.findOne(r, lookup.value, false);
      if (!hit) return undefined;
      return { nativeId: hit.nativeId, resource: await this.toScim(r, hit, ctx) };
    });
  }

  /** Closes the native client (keep-alive sockets, token cache). */
  async close(): Promise<void> {
    await this.client.close();
  }

  // ---- steps ----------------------------------------------------------------------------------

  private resourceOf(type: ResourceTypeName): CompiledResource | undefined {
    return type === 'User' ? this.plugin.users : this.plugin.groups;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private toNative(r: CompiledResource, resource: JsonObject, ctx: ConnectorContext, unresolved: 'error' | 'placeholder') {
    return mapRecord(r.toNative, resource, {
      resolve: (type, id) => ctx.nativeIdOf(type, id),
      unresolved,
      now: this.now().toISOString(),
    });
  }

  /** A native record as a SCIM resource (for adoption), references translated back to SCIM ids. */
  private async toScim(r: CompiledResource, hit: SearchHit, ctx: ConnectorContext): Promise<JsonObject> {
    let values: Map<string, unknown>;
    try {
      values = await mapRecord(r.toScim, hit.record, { resolve: (type, id) => ctx.scimIdOf(type, id), unresolved: 'drop', now: this.now().toISOString() });
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

  /** The one native record whose `match` field equals `value`; several are ambiguous. */
  private async findOne(r: CompiledResource, value: string, forCreate: boolean): Promise<SearchHit | undefined> {
    const search = r.operations.search!;
    const hits = await searchNative(search, value, this.baseUrl, async (req) => this.send(r, search, { ...req, idempotent: true }));
    if (hits.length > 1) {
      this.options.log.warn({ plugin: this.plugin.name, operation: search.name }, 'several native records match; none adopted');
      if (forCreate) throw uniqueness(`Several ${r.type} records in the downstream system match; none can be adopted`);
      return undefined;
    }
    const hit = hits[0];
    if (!hit || !search.thenRead) return hit;
    const res = await this.call(r, 'read', hit.nativeId);
    const record = res.body;
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw badGateway(`The downstream system answered a read with no ${r.type}`);
    return { nativeId: hit.nativeId, record: record as JsonObject };
  }

  /** Brings an existing native record in line with the resource: every mapped field, and its state. */
  private async adopt(r: CompiledResource, hit: SearchHit, resource: JsonObject, values: Map<string, unknown>, hooks: PluginHooks): Promise<void> {
    this.options.log.info({ plugin: this.plugin.name, type: r.type, nativeId: hit.nativeId }, 'adopting an existing native record');
    let body = writeFields(r.toNative, values);
    body = (await hooks.beforeUpdate?.(body, { type: r.type, resource, nativeId: hit.nativeId })) ?? body;
    if (r.active.mode === 'endpoint') {
      const state = await mapRecord(r.toScim, hit.record, { resolve: async () => undefined, unresolved: 'drop', now: this.now().toISOString() }).catch(() => new Map());
      const nativeActive = state.get('active') !== false;
      if (!nativeActive && isActive(resource)) await this.call(r, 'reactivate', hit.nativeId);
      await this.call(r, 'update', hit.nativeId, body);
      if (nativeActive && !isActive(resource)) await this.call(r, 'deactivate', hit.nativeId);
      return;
    }
    await this.call(r, 'update', hit.nativeId, body);
  }

  /**
   * POSTs a create. When the answer is lost (timeout, dropped connection, 5xx) the record may exist
   * natively: it is searched for, adopted when found, and only otherwise sent again.
   */
  private async postCreate(r: CompiledResource, body: JsonObject, searchValue: string | undefined): Promise<string> {
    const op = r.operations.create;
    for (let attempt = 1; ; attempt += 1) {
      let res: NativeResponse;
      try {
        res = await this.send(r, op, { method: op.method, path: renderPath(op.path, {}), body, idempotent: false, ...(op.query ? { query: op.query } : {}) });
      } catch (error) {
        if (!ambiguous(error) || searchValue === undefined || attempt >= MAX_CREATE_ATTEMPTS) throw error;
        this.options.log.warn({ plugin: this.plugin.name, operation: op.name, attempt }, 'create answer lost; searching before trying again');
        const landed = await this.findOne(r, searchValue, true);
        if (landed) return landed.nativeId;
        continue;
      }
      return this.newId(r, res);
    }
  }

  private newId(r: CompiledResource, res: NativeResponse): string {
    const where = r.operations.create.id;
    const id = 'body' in where ? getNative(res.body, where.body) : idFromLocation(where.location, res.headers.location ?? '');
    if ((typeof id === 'string' && id !== '') || typeof id === 'number') return String(id);
    throw badGateway(`The downstream system did not say which id the new ${r.type} has`);
  }

  /** Renders and sends one of the resource's operations for a native id. */
  private call(r: CompiledResource, kind: 'read' | 'update' | 'delete' | 'deactivate' | 'reactivate', nativeId: string, body?: JsonObject): Promise<NativeResponse> {
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

  /** One native call; a non-2xx answer becomes the SCIM error the plugin's rules (or the defaults) give. */
  private async send(r: CompiledResource, op: CompiledOperation, req: Omit<NativeRequest, 'operation'>): Promise<NativeResponse> {
    const res = await this.client.request({ ...req, operation: op.name });
    if (res.status >= 200 && res.status < 300) return res;
    const error = fromNativeResponse(res, op.name, this.plugin.errors, r.type);
    if (!error) return res;
    this.options.log.warn({ plugin: this.plugin.name, operation: op.name, status: res.status, scimStatus: error.status }, 'native call refused');
    throw error;
  }

  /** Every failure leaves as a ScimError (downstream trouble, native refusals, unmappable values). */
  private async edge<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const translated = toScimError(error);
      if (error instanceof DownstreamError) {
        this.options.log.warn({ plugin: this.plugin.name, operation: error.details.operation, kind: error.kind, status: error.details.status }, 'native call failed');
      }
      throw translated;
    }
  }
}

