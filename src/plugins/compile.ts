/**
 * Turns a validated plugin.yaml into a CompiledPlugin: schemas and aliases registered, every path
 * resolved, every rule and template checked, every operation's parameters known. Problems are collected
 * (path in the file + what is wrong), never thrown one by one, so an author sees them all at once.
 */
import type { ConnectionSettings, OutboundAuth } from '../connectors/http/types.js';
import { ScimError, SCIM_TYPES, type ScimType } from '../scim/errors.js';
import { parseAttrPath, resolveAttribute } from '../scim/filter/index.js';
import { commonAttributes, ENTERPRISE_USER_SCHEMA, enterpriseUserSchema, groupSchema, userSchema } from '../scim/schemas/core.js';
import { SchemaRegistry, type ResourceTypeName } from '../scim/schemas/registry.js';
import type { SchemaDefinition } from '../scim/schemas/types.js';
import type { AuthInput, GroupsSection, OperationInput, PluginFile, UsersSection } from './format.js';
import type { HookSlot } from './hooks.js';
import { compileMapping, type CompiledField, type Problem } from './mapping.js';
import { getNative, setNative } from './native-paths.js';
import type { PathScope } from './scim-paths.js';
import { checkValueTemplate, compileLocationTemplate, compilePathTemplate, renderValue } from './templates.js';
import type { ActiveMode, CompiledErrorRule, CompiledOperation, CompiledPlugin, CompiledResource, CompiledSearch, Downstream } from './types.js';

export interface LoadedSchema {
  schema: SchemaDefinition;
  resourceType: ResourceTypeName;
}

export interface CompileInput {
  file: PluginFile;
  dir: string;
  /** plugin.yaml as shown in messages. */
  shown: string;
  /** Reads `schemas[i].file` (relative to the plugin directory); reports its own problems. */
  loadSchema(relativeFile: string, index: number): LoadedSchema | undefined;
  hooks: HookSlot;
}

/** Parameters each kind of operation offers to its path, query and body. */
const PARAMS = {
  create: [],
  read: ['id'],
  update: ['id'],
  delete: ['id'],
  deactivate: ['id', 'today', 'now'],
  reactivate: ['id', 'today', 'now'],
  search: ['value'],
} as const satisfies Record<string, readonly string[]>;

/** The key a lookup path is compared by: canonical attribute keys, lower-cased (`emails.value`). */
export function lookupKey(path: string, registry: SchemaRegistry, type: ResourceTypeName): string | undefined {
  const ref = parseAttrPath(path);
  const resolved = ref && resolveAttribute(ref, { registry, type });
  return resolved?.keys.join('.').toLowerCase();
}

export function compilePlugin(input: CompileInput, problems: Problem[]): CompiledPlugin | undefined {
  const { file } = input;
  const before = problems.length;

  // Schemas and aliases.
  const extensions: Record<ResourceTypeName, SchemaDefinition[]> = { User: [], Group: [] };
  const aliases: Record<ResourceTypeName, Map<string, string>> = { User: new Map(), Group: new Map() };
  const seenAliases = new Set<string>();
  file.schemas.forEach((entry, i) => {
    let loaded: LoadedSchema | undefined;
    if (entry.urn.toLowerCase() === ENTERPRISE_USER_SCHEMA.toLowerCase()) {
      if (entry.file) problems.push({ path: ['schemas', i, 'file'], message: 'the enterprise extension is built in; remove "file"' });
      loaded = { schema: enterpriseUserSchema, resourceType: 'User' };
    } else if (!entry.file) {
      problems.push({ path: ['schemas', i], message: `${entry.urn} needs a "file" with its definition` });
    } else {
      loaded = input.loadSchema(entry.file, i);
      if (loaded && loaded.schema.id.toLowerCase() !== entry.urn.toLowerCase()) {
        problems.push({ path: ['schemas', i, 'urn'], message: `${entry.file} defines ${loaded.schema.id}, not ${entry.urn}` });
        loaded = undefined;
      }
    }
    if (seenAliases.has(entry.alias)) problems.push({ path: ['schemas', i, 'alias'], message: `alias "${entry.alias}" is used twice` });
    seenAliases.add(entry.alias);
    if (!loaded) return;
    const type = loaded.resourceType;
    const core = type === 'User' ? ['userName', 'name', 'emails'] : ['displayName', 'members'];
    if (['value', 'now'].includes(entry.alias) || attributeNameTaken(entry.alias, type)) {
      problems.push({ path: ['schemas', i, 'alias'], message: `alias "${entry.alias}" is taken by a ${type} attribute or a rule variable (e.g. ${core.join(', ')}, value, now)` });
      return;
    }
    if (extensions[type].some((s) => s.id.toLowerCase() === loaded.schema.id.toLowerCase())) {
      problems.push({ path: ['schemas', i, 'urn'], message: `${entry.urn} is listed twice` });
      return;
    }
    extensions[type].push(loaded.schema);
    aliases[type].set(entry.alias, loaded.schema.id);
  });
  let registry: SchemaRegistry;
  try {
    registry = new SchemaRegistry({ User: extensions.User, Group: extensions.Group });
  } catch (error) {
    problems.push({ path: ['schemas'], message: (error as Error).message });
    return undefined;
  }

  const tables = new Map(Object.entries(file.tables));
  const scope = (type: ResourceTypeName): PathScope => ({ registry, type, aliases: aliases[type] });
  const users = compileResource('users', file.users, scope('User'), tables, problems);
  const groups = file.groups === 'gateway-only' ? undefined : compileResource('groups', file.groups, scope('Group'), tables, problems);
  const errors = compileErrorRules(file, problems);
  const credentials = Object.keys(file.credentials);
  checkConnection(file, credentials, problems);
  if (problems.length > before || !users) return undefined;

  return Object.freeze({
    name: file.name,
    description: file.description,
    dir: input.dir,
    file: input.shown,
    credentials,
    extensions: { User: extensions.User, Group: extensions.Group },
    registry,
    users,
    ...(groups ? { groups } : {}),
    errors,
    connection: (downstream: Downstream) => connectionSettings(file, downstream),
    hooks: input.hooks,
  });
}

function attributeNameTaken(name: string, type: ResourceTypeName): boolean {
  const lower = name.toLowerCase();
  const core = type === 'User' ? userSchema : groupSchema;
  return [...core.attributes, ...commonAttributes].some((a) => a.name.toLowerCase() === lower);
}

function compileResource(
  section: 'users' | 'groups',
  raw: UsersSection | GroupsSection,
  scope: PathScope,
  tables: ReadonlyMap<string, Record<string, unknown>>,
  problems: Problem[],
): CompiledResource | undefined {
  const before = problems.length;
  const local: Problem[] = [];
  const toNative = compileMapping('toNative', raw.toNative, scope, tables, local);
  problems.push(...local.splice(0).map((p) => ({ path: [section, 'toNative', ...p.path], message: p.message })));
  const toScim = compileMapping('toScim', raw.toScim, scope, tables, local);
  problems.push(...local.splice(0).map((p) => ({ path: [section, 'toScim', ...p.path], message: p.message })));

  const ops = raw.operations as Record<string, OperationInput | undefined>;
  const compileOp = (kind: keyof typeof PARAMS): CompiledOperation | undefined => {
    const op = ops[kind];
    if (!op) return undefined;
    const at = [section, 'operations', kind];
    const allowed = PARAMS[kind];
    const compiled: CompiledOperation = { name: `${section}.${kind}`, method: op.method, path: { text: op.path, parts: [] } };
    try {
      compiled.path = compilePathTemplate(op.path, allowed);
    } catch (error) {
      problems.push({ path: [...at, 'path'], message: (error as Error).message });
    }
    for (const key of ['query', 'body'] as const) {
      if (op[key] === undefined) continue;
      try {
        checkValueTemplate(op[key], allowed);
      } catch (error) {
        problems.push({ path: [...at, key], message: (error as Error).message });
      }
    }
    if (op.query) compiled.query = op.query;
    if (op.body !== undefined) compiled.body = op.body;
    return compiled;
  };

  const create = compileOp('create');
  const createInput = raw.operations.create;
  let id: { body: string } | { location: ReturnType<typeof compileLocationTemplate> } = { body: 'id' };
  if ('body' in createInput.id) id = { body: createInput.id.body };
  else {
    try {
      id = { location: compileLocationTemplate(createInput.id.location) };
    } catch (error) {
      problems.push({ path: [section, 'operations', 'create', 'id', 'location'], message: (error as Error).message });
    }
  }
  const update = compileOp('update');
  const read = compileOp('read');
  const del = compileOp('delete');
  const deactivate = compileOp('deactivate');
  const reactivate = compileOp('reactivate');
  const search = compileSearch(section, raw, compileOp('search'), scope, problems);
  if (search?.thenRead && !read) problems.push({ path: [section, 'operations', 'search', 'thenRead'], message: 'needs a "read" operation' });

  const active: ActiveMode = 'active' in raw ? (raw.active as ActiveMode) : { mode: 'ignore' };
  checkActive(section, active, raw, { deactivate, reactivate, del }, problems);
  if (raw.delete === 'native' && !del) problems.push({ path: [section, 'delete'], message: '"native" needs a "delete" operation' });
  if (raw.delete === 'deactivate' && active.mode === 'ignore') {
    problems.push({ path: [section, 'delete'], message: '"deactivate" needs users.active to be "flag", "endpoint" or "delete"' });
  }
  if (active.mode === 'flag') addFlagFields(active, toNative.fields, toScim.fields);

  if (problems.length > before || !create || !update) return undefined;
  const operations: CompiledResource['operations'] = { create: { ...create, id }, update: { ...update, send: raw.operations.update.send } };
  if (read) operations.read = read;
  if (del) operations.delete = del;
  if (search) operations.search = search;
  if (deactivate) operations.deactivate = deactivate;
  if (reactivate) operations.reactivate = reactivate;
  return { type: scope.type, section, scope, toNative, toScim, operations, active, delete: raw.delete };
}

function compileSearch(
  section: 'users' | 'groups',
  raw: UsersSection | GroupsSection,
  op: CompiledOperation | undefined,
  scope: PathScope,
  problems: Problem[],
): CompiledSearch | undefined {
  const input = raw.operations.search;
  if (!op || !input) return undefined;
  const by = new Set<string>();
  input.by.forEach((path, i) => {
    const key = lookupKey(path, scope.registry, scope.type);
    if (key === undefined) problems.push({ path: [section, 'operations', 'search', 'by', i], message: `unknown attribute "${path}" for ${scope.type} resources` });
    else by.add(key);
  });
  const search: CompiledSearch = {
    ...op,
    by,
    match: input.match,
    id: input.id,
    caseExact: input.caseExact,
    paging: input.paging,
    maxPages: input.maxPages,
    thenRead: input.thenRead,
  };
  if (input.results !== undefined) search.results = input.results;
  return search;
}

function checkActive(
  section: string,
  active: ActiveMode,
  raw: UsersSection | GroupsSection,
  ops: { deactivate?: CompiledOperation; reactivate?: CompiledOperation; del?: CompiledOperation },
  problems: Problem[],
): void {
  const at = [section, 'active'];
  if (active.mode === 'endpoint') {
    if (!ops.deactivate) problems.push({ path: at, message: '"endpoint" needs a "deactivate" operation' });
    if (!ops.reactivate) problems.push({ path: at, message: '"endpoint" needs a "reactivate" operation' });
  }
  if (active.mode === 'delete' && !ops.del) problems.push({ path: at, message: '"delete" needs a "delete" operation' });
  if (active.mode === 'flag' && Object.hasOwn(raw.toNative, active.field)) {
    problems.push({ path: [...at, 'field'], message: `"${active.field}" is set by the flag; remove it from toNative` });
  }
}

/** The flag both ways: SCIM `active` (absent = active) → the native field; the field → `active`. */
function addFlagFields(active: { field: string; active: unknown; inactive: unknown }, toNative: CompiledField[], toScim: CompiledField[]): void {
  toNative.push({
    target: active.field,
    write: (out, value) => setNative(out, active.field, value),
    sources: [],
    compute: (view) => (view.active === false ? active.inactive : active.active),
    clear: null,
  });
  if (toScim.some((f) => f.target.toLowerCase() === 'active')) return;
  const inactive = JSON.stringify(active.inactive);
  toScim.push({
    target: 'active',
    write: (out, value) => (out.active = value),
    sources: [],
    compute: (record) => JSON.stringify(getNative(record, active.field)) !== inactive,
    clear: null,
  });
}

function compileErrorRules(file: PluginFile, problems: Problem[]): CompiledErrorRule[] {
  return file.errors.flatMap((rule, i) => {
    const statuses = Array.isArray(rule.status) ? rule.status : [rule.status];
    const base = {
      statuses,
      ...(rule.operation ? { operation: rule.operation } : {}),
      ...(rule.bodyContains ? { bodyContains: rule.bodyContains.toLowerCase() } : {}),
      ...(rule.header ? { header: { name: rule.header.name.toLowerCase(), contains: rule.header.contains.toLowerCase() } } : {}),
    };
    if (!rule.scim) return [base];
    const { status, scimType, detail } = rule.scim;
    if (scimType !== undefined && !Object.hasOwn(SCIM_TYPES, scimType)) {
      problems.push({ path: ['errors', i, 'scim', 'scimType'], message: `unknown scimType "${scimType}" (RFC 7644: ${Object.keys(SCIM_TYPES).join(', ')})` });
      return [];
    }
    try {
      new ScimError(status, scimType as ScimType | undefined, 'check');
    } catch (error) {
      problems.push({ path: ['errors', i, 'scim'], message: (error as Error).message });
      return [];
    }
    const compiled: CompiledErrorRule = {
      ...base,
      scim: { status, ...(scimType ? { scimType } : {}), detail: detail ?? `The downstream system refused the request (HTTP ${status})` },
    };
    return [compiled];
  });
}

function authTemplates(auth: AuthInput): [string, string][] {
  return Object.entries(auth).filter((e): e is [string, string] => e[0] !== 'type' && e[0] !== 'header' && typeof e[1] === 'string');
}

function checkConnection(file: PluginFile, credentials: string[], problems: Problem[]): void {
  for (const [key, value] of authTemplates(file.connection.auth)) {
    try {
      checkValueTemplate(value, credentials);
    } catch (error) {
      problems.push({ path: ['connection', 'auth', key], message: `${(error as Error).message.replace('this operation offers', 'credentials are')}` });
    }
  }
  for (const [name, value] of Object.entries(file.connection.headers)) {
    try {
      checkValueTemplate(value, credentials);
    } catch (error) {
      problems.push({ path: ['connection', 'headers', name], message: (error as Error).message.replace('this operation offers', 'credentials are') });
    }
  }
}

function connectionSettings(file: PluginFile, downstream: Downstream): ConnectionSettings {
  const fill = (t: string) => renderValue(t, downstream.credentials) as string;
  const a = file.connection.auth;
  let auth: OutboundAuth;
  switch (a.type) {
    case 'none':
      auth = { type: 'none' };
      break;
    case 'header':
      auth = { type: 'header', header: a.header, value: fill(a.value), ...(a.prefix === undefined ? {} : { prefix: a.prefix }) };
      break;
    case 'basic':
      auth = { type: 'basic', username: fill(a.username), password: fill(a.password) };
      break;
    case 'bearer':
      auth = { type: 'bearer', token: fill(a.token) };
      break;
    case 'oauth2':
      auth = {
        type: 'oauth2',
        tokenUrl: fill(a.tokenUrl),
        clientId: fill(a.clientId),
        clientSecret: fill(a.clientSecret),
        ...(a.scope === undefined ? {} : { scope: fill(a.scope) }),
        ...(a.audience === undefined ? {} : { audience: fill(a.audience) }),
      };
      break;
  }
  const headers = Object.fromEntries(Object.entries(file.connection.headers).map(([k, v]) => [k, fill(v)]));
  const { timeoutMs, rateLimit, retry } = file.connection;
  return {
    baseUrl: downstream.baseUrl,
    auth,
    ...(Object.keys(headers).length ? { headers } : {}),
    timeoutMs,
    rateLimit: { ...rateLimit },
    retry: { ...retry },
  };
}
