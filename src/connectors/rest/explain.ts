/**
 * `scim-bridge explain`: the native calls a SCIM request would cause, without making them. The real
 * RestConnector runs against a recording client that answers every call plausibly: searches find
 * nothing (so a create shows the create), a create gets the id `<new native id>`. References the
 * gateway would resolve through its id map print as `<native id of User 123>`.
 *
 * Input, one JSON object: `{ "method": "POST" | "PUT" | "PATCH" | "DELETE" | "GET", "path": "/Users" |
 * "/Users/{id}" | "/Groups..." | "/Users?filter=...", "body": {...}, "before": {...}, "nativeId": "..." }`.
 * `before` is the resource as the gateway holds it (PUT, PATCH and DELETE; PATCH needs it), `nativeId`
 * the target's native id if known. `nativeSample` (the CLI's `--native-sample file.json`) is what the
 * native search answers instead of "no match": the real matching runs on it, and each decision (how many
 * records, which matched on which field, why none did) is printed under the search. Read-backs
 * (`verify: readBack`) are shown, not compared; the 2xx rules that could fail each call are listed.
 */
import { pino } from 'pino';
import { z } from 'zod';
import { DIALECTS } from '../../dialect/index.js';
import { strictBody } from '../../http/dialect.js';
import { parsePatchMessage } from '../../scim/patch/operation.js';
import { invalidSyntax, invalidValue } from '../../scim/errors.js';
import { parseFilter } from '../../scim/filter/index.js';
import { nativeLookupOf } from '../../service/native-lookup.js';
import { applyPatch } from '../../scim/patch.js';
import { canonicalizeResource } from '../../scim/resource.js';
import { GROUP_SCHEMA, USER_SCHEMA } from '../../scim/schemas/core.js';
import type { ResourceTypeName, SchemaRegistry } from '../../scim/schemas/registry.js';
import type { JsonObject } from '../../store/types.js';
import { placeholderId } from '../../plugins/index.js';
import { getNative } from '../../plugins/native-paths.js';
import type { CompiledErrorRule, CompiledPlugin, CompiledResource, Downstream } from '../../plugins/types.js';
import type { NativeClient, NativeRequest, NativeResponse } from '../http/types.js';
import type { Connector, ConnectorContext } from '../types.js';
import { RestConnector } from './connector.js';
import { successRulesOf } from './errors.js';

export const NEW_NATIVE_ID = '<new native id>';

export interface ExplainApp {
  name: string;
  dialect: 'entra' | 'strict';
  registry: SchemaRegistry;
  plugin: CompiledPlugin;
  downstream: Pick<Downstream, 'baseUrl'>;
}

export interface ExplainedCall {
  operation: string;
  method: string;
  url: string;
  body?: unknown;
  /** What the gateway decided on this call's answer, the read-back it verifies, the 2xx rules that apply. */
  notes?: string[];
}

export interface ExplainOptions {
  /** The native search's answer (a whole answer, as the API gives it) in place of "no match". */
  nativeSample?: unknown;
}

const requestSchema = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: z.string().regex(/^\/(Users|Groups)(\/[^/?]+)?(\?.*)?$/, 'must be /Users, /Users/{id}, /Groups, /Groups/{id} (GET: with ?filter=)'),
  body: z.unknown().optional(),
  before: z.record(z.string(), z.unknown()).optional(),
  nativeId: z.string().min(1).optional(),
});
export type ExplainRequest = z.input<typeof requestSchema>;

/** Puts `value` at a dotted path, digits making lists (`0.id` → `[{ id }]`). */
function bodyWith(path: string, value: unknown): unknown {
  const [head, ...rest] = path.split('.');
  const inner = rest.length === 0 ? value : bodyWith(rest.join('.'), value);
  if (/^\d+$/.test(head!)) {
    const list: unknown[] = [];
    list[Number(head)] = inner;
    return list;
  }
  return { [head!]: inner };
}

/** Answers like a native API would, from the plugin's own description of it; remembers every call. */
class RecordingClient implements NativeClient {
  readonly calls: NativeRequest[] = [];
  constructor(
    private readonly plugin: CompiledPlugin,
    private readonly sample: unknown,
  ) {}

  async request(req: NativeRequest): Promise<NativeResponse> {
    this.calls.push(req);
    const [section, kind] = req.operation.split('.') as ['users' | 'groups', string];
    const r: CompiledResource | undefined = section === 'users' ? this.plugin.users : this.plugin.groups;
    const answer = (body: unknown, headers: Record<string, string> = {}): NativeResponse => ({ status: 200, headers, body, durationMs: 0 });
    const search = r?.operations.search;
    if (kind === 'search' && search) {
      if (this.sample !== undefined) return answer(this.sample);
      return answer(search.results === undefined ? [] : bodyWith(search.results, []));
    }
    if (kind === 'read' && r?.operations.read && this.sample !== undefined && search) {
      // thenRead: the full record of the sample's first result, where the read answers it.
      const list = search.results === undefined ? this.sample : getNative(this.sample, search.results);
      const first = Array.isArray(list) ? (list[0] as unknown) : {};
      const record = r.operations.read.record;
      return answer(record === undefined ? first : bodyWith(record, first));
    }
    if (kind === 'create' && r?.operations.create) {
      const where = r.operations.create.id;
      if (where.location) return answer(undefined, { location: where.location.text.replace('{id}', encodeURIComponent(NEW_NATIVE_ID)) });
      if (where.body !== undefined) return answer(bodyWith(where.body, NEW_NATIVE_ID));
    }
    return answer({});
  }

  async close(): Promise<void> {}
}

/** The explain input checked: a request as a client would send it. Throws 400 invalidSyntax. */
export function parseExplainInput(input: unknown) {
  const parsed = requestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalidSyntax(`explain input: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Runs one parsed request through the door (the gateway's own dialect function) and `connector`, as the
 * resource service would call it; the ids it makes up for resources it cannot know are added to
 * `placeholders`. Throws ScimError for a request the gateway would refuse.
 */
export async function driveConnector(
  app: Pick<ExplainApp, 'dialect' | 'registry'>,
  req: ReturnType<typeof parseExplainInput>,
  connector: Connector,
  placeholders: Set<string>,
): Promise<void> {
  const [, endpoint, rawId, query] = /^\/(Users|Groups)(?:\/([^/?]+))?(?:\?(.*))?$/.exec(req.path)!;
  const type: ResourceTypeName = endpoint === 'Users' ? 'User' : 'Group';
  const id = rawId === undefined ? undefined : decodeURIComponent(rawId);
  const ctx = { registry: app.registry, type };
  // The gateway's door, not a copy of it: the same function turns the body into strict RFC 7644.
  const dialect = DIALECTS[app.dialect];
  placeholders.add(NEW_NATIVE_ID);
  const context: ConnectorContext = {
    nativeIdOf: async (t, scimId) => {
      const p = placeholderId(t, scimId);
      placeholders.add(p);
      return p;
    },
    scimIdOf: async () => undefined,
    groupsOf: async () => [],
  };
  const target = () => {
    if (id === undefined) throw invalidValue(`${req.method} needs a resource id in the path`);
    if (req.nativeId !== undefined) return req.nativeId; // a real id: printed encoded, as it would be sent
    const native = placeholderId(type, id);
    placeholders.add(native);
    return native;
  };
  const before = (): JsonObject =>
    req.before ? canonicalizeResource(req.before, ctx) : { schemas: [type === 'User' ? USER_SCHEMA : GROUP_SCHEMA], ...(id ? { id } : {}) };

  switch (req.method) {
    case 'POST':
      await connector.create(type, canonicalizeResource(strictBody(dialect, ctx, 'resource', req.body), ctx), context);
      break;
    case 'PUT':
      await connector.update(type, target(), before(), canonicalizeResource(strictBody(dialect, ctx, 'resource', req.body), ctx), context);
      break;
    case 'PATCH': {
      if (!req.before) throw invalidValue('explain: a PATCH needs "before", the resource as the gateway holds it');
      const ops = parsePatchMessage(strictBody(dialect, ctx, 'patch', req.body));
      const old = before();
      await connector.update(type, target(), old, canonicalizeResource(applyPatch(old, ops, ctx), ctx), context);
      break;
    }
    case 'DELETE':
      await connector.delete(type, target(), before(), context);
      break;
    case 'GET': {
      const filter = new URLSearchParams(query ?? '').get('filter');
      if (!filter) throw invalidValue('explain: a GET needs ?filter=<attribute> eq "<value>" (what Entra asks before a create)');
      const lookup = nativeLookupOf(app.registry, type, parseFilter(filter));
      if (!lookup) throw invalidValue('explain: only an `eq` filter on one string attribute can be looked up natively');
      if (!connector.canFind(type, lookup.path)) return;
      await connector.find(type, lookup, context);
      break;
    }
  }
}

/** The native calls `input` would cause for `app`. Throws ScimError for a request the gateway would refuse. */
export async function explainRequest(app: ExplainApp, input: unknown, options: ExplainOptions = {}): Promise<ExplainedCall[]> {
  const req = parseExplainInput(input);
  const placeholders = new Set<string>();
  const client = new RecordingClient(app.plugin, options.nativeSample);
  // Each decision is noted under the call whose answer it is about: the last one recorded.
  const notes = new Map<number, string[]>();
  const note = (text: string) => {
    const at = client.calls.length - 1;
    notes.set(at, [...(notes.get(at) ?? []), text]);
  };
  const connector = new RestConnector(app.plugin, client, app.downstream.baseUrl, {
    log: pino({ level: 'silent' }),
    dryRun: true,
    onDecision: (d) => note(d.kind === 'verify' ? `verify: ${d.detail}` : `${d.outcome === 'adopt' ? 'adopt' : 'no adoption'}: ${d.detail}`),
  });
  await driveConnector(app, req, connector, placeholders);
  return client.calls.map((call, i) => {
    const rules = successRulesOf(app.plugin.errors, call.operation).map(
      (rule) => `if a ${rule.statuses.filter((st) => st < 300).join('/')} answer has ${describeMatch(rule)}: ${rule.scim!.status}${rule.scim!.scimType ? ` ${rule.scim!.scimType}` : ''} "${rule.scim!.detail}"`,
    );
    return describeCall(call, app.downstream.baseUrl, placeholders, [...(notes.get(i) ?? []), ...rules]);
  });
}

function describeMatch(rule: CompiledErrorRule): string {
  const parts: string[] = [];
  if (rule.bodyField) parts.push(rule.bodyField.notEmpty ? `"${rule.bodyField.path}" not empty` : `"${rule.bodyField.path}" = ${JSON.stringify(rule.bodyField.equals?.value)}`);
  if (rule.bodyContains) parts.push(`"${rule.bodyContains}" in its body`);
  if (rule.header) parts.push(`"${rule.header.contains}" in ${rule.header.name}`);
  return parts.join(' and ') || 'any body';
}

export function describeCall(call: NativeRequest, baseUrl: string, placeholders: ReadonlySet<string>, notes: string[]): ExplainedCall {
  let url = `${baseUrl.replace(/\/+$/, '')}${call.path}`;
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) query.append(k, String(v));
  if ([...query].length > 0) url += `?${query.toString()}`;
  // Placeholders are URL-encoded like any id; shown as written, they read better.
  for (const p of placeholders) url = url.split(encodeURIComponent(p)).join(p);
  return { operation: call.operation, method: call.method, url, ...(call.body === undefined ? {} : { body: call.body }), ...(notes.length ? { notes } : {}) };
}
