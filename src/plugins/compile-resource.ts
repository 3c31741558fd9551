/**
 * One resource section of plugin.yaml (`users` or `groups`) compiled: both mappings, every operation's
 * templates checked against the parameters it offers, the search, the deactivation mode and its needs.
 */
import { parseAttrPath, resolveAttribute } from '../scim/filter/index.js';
import type { ResourceTypeName, SchemaRegistry } from '../scim/schemas/registry.js';
import type { GroupsSection, OperationInput, UsersSection } from './format.js';
import { compileMapping, type CompiledField, type Problem } from './mapping.js';
import { getNative, setNative } from './native-paths.js';
import { compileScimPath, type PathScope } from './scim-paths.js';
import type { AttrPathRef } from '../scim/filter/index.js';
import { checkValueTemplate, compileLocationTemplate, compilePathTemplate } from './templates.js';
import type { ActiveMode, CompiledOperation, CompiledResource, CompiledSearch } from './types.js';

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

export function compileResource(
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

  const requires = compileRequires(section, raw.requires, scope, problems);
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
  return { type: scope.type, section, scope, toNative, toScim, operations, active, delete: raw.delete, requires };
}

/** `requires`: plain attribute or sub-attribute paths the client must be able to send and the gateway keeps. */
function compileRequires(section: 'users' | 'groups', raw: readonly string[], scope: PathScope, problems: Problem[]): AttrPathRef[] {
  return raw.flatMap((text, i) => {
    const fail = (message: string) => (problems.push({ path: [section, 'requires', i], message }), []);
    let path;
    try {
      path = compileScimPath(text, scope);
    } catch (error) {
      return fail((error as Error).message);
    }
    if (path.matches) return fail(`"${text}": name an attribute or a sub-attribute, without a filter`);
    if (path.attribute.mutability === 'readOnly') return fail(`"${text}" is read-only`);
    if (path.attribute.returned === 'never' || path.attribute.mutability === 'writeOnly') {
      return fail(`"${text}" is write-only: the gateway does not keep it, so no update could carry it`);
    }
    const [first, second] = path.keys;
    const ref: AttrPathRef = second === undefined ? { name: first! } : { uri: first!, name: second };
    if (path.sub !== undefined) ref.sub = path.sub;
    return [ref];
  });
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
