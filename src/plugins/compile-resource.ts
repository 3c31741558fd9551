/**
 * One resource section of plugin.yaml (`users` or `groups`) compiled: both mappings, every operation's
 * templates checked against the parameters it offers, the read side of each reading operation, the
 * search, the deactivation mode and what each construct needs of the others.
 */
import { parseAttrPath, resolveAttribute } from '../scim/filter/index.js';
import type { ResourceTypeName, SchemaRegistry } from '../scim/schemas/registry.js';
import type { CreateInput, GroupsSection, ListInput, OperationInput, UsersSection } from './format.js';
import { compileMapping, sentBy, type CompiledField, type CompiledMapping, type Problem } from './mapping.js';
import { getNative, setNative } from './native-paths.js';
import { checkReadFields, compileReadView, provides, readFieldsOf, type ReadFields } from './read-side.js';
import { compileScimPath, type PathScope } from './scim-paths.js';
import type { AttrPathRef } from '../scim/filter/index.js';
import { checkValueTemplate, compileLocationTemplate, compilePathTemplate, unknownValueParams } from './templates.js';
import type { ActiveMode, CompiledCreate, CompiledList, CompiledOperation, CompiledRead, CompiledResource, CompiledSearch, CompiledUpdate, MembersOn } from './types.js';

/** Parameters each kind of operation offers to its path, query and body. */
const PARAMS = {
  create: [],
  read: ['id'],
  update: ['id'],
  delete: ['id'],
  deactivate: ['id', 'today', 'now'],
  reactivate: ['id', 'today', 'now'],
  search: ['value'],
  list: [],
} as const satisfies Record<string, readonly string[]>;

type Kind = keyof typeof PARAMS;

/** The string standing for the mapped fields in a create or update body. */
export const FIELDS_PLACEHOLDER = '{fields}';

/** The key a lookup path is compared by: canonical attribute keys, lower-cased (`emails.value`). */
export function lookupKey(path: string, registry: SchemaRegistry, type: ResourceTypeName): string | undefined {
  const ref = parseAttrPath(path);
  const resolved = ref && resolveAttribute(ref, { registry, type });
  return resolved?.keys.join('.').toLowerCase();
}

type Section = 'users' | 'groups';
type RawOperations = Record<string, (OperationInput & { fields?: Record<string, string>; record?: string }) | undefined>;

export function compileResource(
  section: Section,
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
  const ops = raw.operations as RawOperations;
  const at = (...rest: (string | number)[]) => [section, ...rest];

  const compileOp = (kind: Kind, bodyIsEnvelope = false): CompiledOperation | undefined => {
    const op = ops[kind];
    if (!op) return undefined;
    const allowed = PARAMS[kind];
    const compiled: CompiledOperation = { name: `${section}.${kind}`, method: op.method, path: { text: op.path, parts: [] } };
    try {
      compiled.path = compilePathTemplate(op.path, allowed);
    } catch (error) {
      problems.push({ path: at('operations', kind, 'path'), message: (error as Error).message });
    }
    for (const key of ['query', 'body'] as const) {
      if (op[key] === undefined) continue;
      if (key === 'body' && bodyIsEnvelope) {
        const why = checkEnvelope(op.body, allowed);
        if (why) problems.push({ path: at('operations', kind, 'body'), message: why });
        continue;
      }
      try {
        checkValueTemplate(op[key], allowed);
      } catch (error) {
        problems.push({ path: at('operations', kind, key), message: (error as Error).message });
      }
    }
    if (op.query) compiled.query = op.query;
    if (op.body !== undefined && !bodyIsEnvelope) compiled.body = op.body;
    return compiled;
  };

  const read = compileOp('read');
  const create = compileCreate(section, raw.operations.create, compileOp('create', true), problems);
  const updateInput = raw.operations.update;
  const updateOp = compileOp('update', true);
  const update: CompiledUpdate | undefined =
    updateOp && updateInput
      ? { ...updateOp, ...(updateInput.body === undefined ? {} : { envelope: updateInput.body }), verify: updateInput.verify === 'readBack', send: updateInput.send }
      : undefined;
  const del = compileOp('delete');
  const deactivate = compileOp('deactivate');
  const reactivate = compileOp('reactivate');
  const searchOp = compileOp('search');

  const requires = compileRequires(section, raw.requires, scope, problems);
  // The read side: the native fields something reads, and where each reading operation has them.
  const active: ActiveMode = 'active' in raw ? compileActive(raw.active) : { mode: 'ignore' };
  const searchInput = raw.operations.search;
  const toScimReads = [...new Set(toScim.fields.flatMap((f) => f.reads ?? []))];
  const listInput = 'list' in raw.operations ? raw.operations.list : undefined;
  const needed = [
    ...new Set([
      ...toScimReads,
      ...(searchInput ? [searchInput.match, searchInput.id] : []),
      ...(listInput ? [listInput.id] : []),
      ...(active.mode === 'flag' ? [active.field] : []),
    ]),
  ];
  const readFields = readSide(section, 'read', ops.read?.fields, problems);
  const searchFields = readSide(section, 'search', searchInput?.fields, problems);
  const compiledRead: CompiledRead | undefined = read && {
    ...read,
    ...(ops.read?.record === undefined ? {} : { record: ops.read.record }),
    view: compileReadView(readFields, needed),
  };
  const search = compileSearch(section, raw, searchOp, searchFields, needed, scope, problems);
  checkReadSide(section, { search: searchInput && searchFields, read: ops.read && readFields }, { toScimReads, active, searchInput }, problems);
  const list = compileList(section, listInput, compileOp('list'), readSide(section, 'list', listInput?.fields, problems), { needed, hasRead: read !== undefined }, problems);

  if (searchInput && !toNative.fields.some((f) => f.target === searchInput.match)) {
    problems.push({
      path: at('operations', 'search', 'match'),
      message: `"${searchInput.match}" is not a toNative field: the search before a create takes its value from the mapped fields`,
    });
  }
  if (search?.thenRead && !read) problems.push({ path: at('operations', 'search', 'thenRead'), message: 'needs a "read" operation' });
  for (const [kind, op] of [['create', create], ['update', update]] as const) {
    if (op?.verify && !read) problems.push({ path: at('operations', kind, 'verify'), message: '"readBack" needs a "read" operation' });
  }
  if (create?.id.search && !searchInput) problems.push({ path: at('operations', 'create', 'id'), message: 'finding the new id by a search needs a "search" operation' });

  checkCreateOnly(section, toNative, problems);
  checkActive(section, active, raw, { deactivate, reactivate, del }, problems);
  if (raw.delete === 'native' && !del) problems.push({ path: at('delete'), message: '"native" needs a "delete" operation' });
  if (raw.delete === 'deactivate' && active.mode === 'ignore') {
    problems.push({ path: at('delete'), message: '"deactivate" needs users.active to be "flag", "endpoint" or "delete"' });
  }
  if (active.mode === 'flag') addFlagFields(active, toNative.fields, toScim.fields);

  const groupCreate = 'create' in raw ? raw.create : 'native';
  const members: MembersOn = 'members' in raw ? raw.members : { on: 'group' };
  if (section === 'users') {
    if (!create) problems.push({ path: at('operations', 'create'), message: 'users need a "create" operation' });
    if (!update) problems.push({ path: at('operations', 'update'), message: 'users need an "update" operation' });
  } else {
    checkGroups(groupCreate, members, { create, search: searchInput, toNative }, problems);
  }

  if (problems.length > before) return undefined;
  const operations: CompiledResource['operations'] = {};
  if (create) operations.create = create;
  if (update) operations.update = update;
  if (compiledRead) operations.read = compiledRead;
  if (del) operations.delete = del;
  if (search) operations.search = search;
  if (list) operations.list = list;
  if (deactivate) operations.deactivate = deactivate;
  if (reactivate) operations.reactivate = reactivate;
  return {
    type: scope.type,
    section,
    scope,
    toNative,
    toScim,
    operations,
    active,
    delete: raw.delete,
    create: groupCreate,
    members,
    verifiable: verifiableFields(toNative, toScim),
    requires,
  };
}

/** A body around the mapped fields: `"{fields}"` once, as a whole string, and only the parameters offered. */
function checkEnvelope(body: unknown, allowed: readonly string[]): string | undefined {
  let count = 0;
  const walk = (v: unknown, depth: number): void => {
    if (depth > 16) return;
    if (v === FIELDS_PLACEHOLDER) count += 1;
    else if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach((x) => walk(x, depth + 1));
  };
  walk(body, 0);
  if (count !== 1) return `the body must hold "${FIELDS_PLACEHOLDER}" once, as a whole value, where the mapped fields go (e.g. { employee: "${FIELDS_PLACEHOLDER}" })`;
  const unknown = unknownValueParams(body, [...allowed, 'fields']);
  return unknown.length ? `unknown parameter {${unknown[0]}} in the body (this operation offers ${allowed.length ? allowed.map((a) => `{${a}}`).join(', ') : 'none'} and ${FIELDS_PLACEHOLDER})` : undefined;
}

function compileCreate(section: Section, input: CreateInput | undefined, op: CompiledOperation | undefined, problems: Problem[]): CompiledCreate | undefined {
  if (!op || !input) return undefined;
  const id: CompiledCreate['id'] = { search: input.id.search === true };
  if ('body' in input.id) id.body = input.id.body;
  if ('location' in input.id) {
    try {
      id.location = compileLocationTemplate(input.id.location);
    } catch (error) {
      problems.push({ path: [section, 'operations', 'create', 'id', 'location'], message: (error as Error).message });
    }
  }
  return {
    ...op,
    ...(input.body === undefined ? {} : { envelope: input.body }),
    verify: input.verify === 'readBack',
    id,
    upsert: input.upsert,
  };
}

function readSide(section: Section, kind: 'read' | 'search' | 'list', fields: Record<string, string> | undefined, problems: Problem[]): ReadFields | undefined {
  if (!fields) return undefined;
  for (const p of checkReadFields(fields)) problems.push({ path: [section, 'operations', kind, 'fields', p.key], message: p.message });
  return readFieldsOf(fields);
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
  section: Section,
  raw: UsersSection | GroupsSection,
  op: CompiledOperation | undefined,
  fields: ReadFields | undefined,
  needed: readonly string[],
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
    view: compileReadView(fields, needed),
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

/**
 * `operations.list`: its read side must give the id and, unless each record is read in full
 * (`thenRead`), every field reconcile compares (the same ones adoption reads).
 */
function compileList(
  section: Section,
  input: ListInput | undefined,
  op: CompiledOperation | undefined,
  fields: ReadFields | undefined,
  uses: { needed: readonly string[]; hasRead: boolean },
  problems: Problem[],
): CompiledList | undefined {
  if (!op || !input) return undefined;
  const at = (...rest: string[]) => [section, 'operations', 'list', ...rest];
  if (input.thenRead && !uses.hasRead) problems.push({ path: at('thenRead'), message: 'needs a "read" operation' });
  const wanted = input.thenRead ? [input.id] : uses.needed;
  for (const field of wanted) {
    if (!provides(fields, field)) problems.push({ path: at('fields'), message: `"${field}" is read from every listed record, but operations.list.fields does not provide it` });
  }
  const list: CompiledList = { ...op, view: compileReadView(fields, uses.needed), id: input.id, paging: input.paging, thenRead: input.thenRead };
  if (input.results !== undefined) list.results = input.results;
  if (input.total !== undefined) list.total = input.total;
  return list;
}

/**
 * What the read side must provide, checked offline: the match and id fields in search results, the
 * active flag wherever a record is read, every field toScim reads (adoption reads search results, or the
 * full record with thenRead).
 */
function checkReadSide(
  section: Section,
  sides: { search: ReadFields | undefined; read: ReadFields | undefined },
  uses: { toScimReads: readonly string[]; active: ActiveMode; searchInput: UsersSection['operations']['search'] },
  problems: Problem[],
): void {
  const { searchInput } = uses;
  const search = searchInput && sides.search;
  if (search && searchInput) {
    for (const key of ['match', 'id'] as const) {
      const field = searchInput[key];
      if (!provides(search, field)) {
        problems.push({
          path: [section, 'operations', 'search', key],
          message: `"${field}" is not a field of the search results: add it (or "*") to operations.search.fields`,
        });
      }
    }
  }
  const adoptionSide = searchInput?.thenRead ? sides.read : search;
  const adoptionKind = searchInput?.thenRead ? 'read' : 'search';
  if (searchInput && adoptionSide) {
    for (const field of uses.toScimReads) {
      if (!provides(adoptionSide, field)) {
        problems.push({ path: [section, 'toScim'], message: `reads "${field}", which operations.${adoptionKind}.fields does not provide` });
      }
    }
  }
  if (uses.active.mode === 'flag') {
    const field = uses.active.field;
    for (const [kind, side] of [['search', search], ['read', sides.read]] as const) {
      if (side && !provides(side, field)) {
        problems.push({ path: [section, 'active', 'field'], message: `"${field}" is the active flag, but operations.${kind}.fields does not provide it: adoption would read no state` });
      }
    }
  }
}

/**
 * A field the update never sends (`in: [create]`) would let a change go nowhere: it must be create-only
 * (refused or reported), or have a twin the update sends (the same attribute in another form: a date as
 * MM/DD/YYYY on create, as a timestamp on update).
 */
function checkCreateOnly(section: Section, toNative: CompiledMapping, problems: Problem[]): void {
  for (const field of toNative.fields) {
    if (sentBy(field, 'update') || field.createOnly) continue;
    const twin = toNative.fields.some((f) => f !== field && sentBy(f, 'update') && f.scimKeys.length > 0 && f.scimKeys.every((k) => field.scimKeys.includes(k)));
    if (!twin) {
      problems.push({
        path: [section, 'toNative', field.target, 'in'],
        message: 'the update never sends this field and no other field carries its attribute: a change would go nowhere (add createOnly: refuse or report)',
      });
    }
  }
}

function compileActive(raw: UsersSection['active']): ActiveMode {
  if (raw.mode !== 'flag') return raw;
  const { states, ...flag } = raw;
  return { ...flag, states: states ?? { active: [raw.active], inactive: [raw.inactive] } };
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
  if (active.mode === 'flag') {
    if (Object.hasOwn(raw.toNative, active.field)) {
      problems.push({ path: [...at, 'field'], message: `"${active.field}" is set by the flag; remove it from toNative` });
    }
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const { states } = active;
    if (!states.active.some((v) => same(v, active.active))) problems.push({ path: [...at, 'states', 'active'], message: `must list the value written for active, ${JSON.stringify(active.active)}` });
    if (!states.inactive.some((v) => same(v, active.inactive))) problems.push({ path: [...at, 'states', 'inactive'], message: `must list the value written for inactive, ${JSON.stringify(active.inactive)}` });
    if (states.active.some((v) => states.inactive.some((w) => same(v, w)))) problems.push({ path: [...at, 'states'], message: 'a value cannot mean both active and inactive' });
  }
}

/** Groups: a create that can be retried without a duplicate, and membership written where the API keeps it. */
function checkGroups(
  create: 'native' | 'never',
  members: MembersOn,
  parts: { create: CompiledCreate | undefined; search: unknown; toNative: CompiledMapping },
  problems: Problem[],
): void {
  if (create === 'never' && parts.create) problems.push({ path: ['groups', 'operations', 'create'], message: 'groups.create is "never": remove this operation' });
  if (create === 'native' && !parts.create) problems.push({ path: ['groups', 'operations', 'create'], message: 'needs a "create" operation (or groups.create: never)' });
  if (!parts.search) {
    problems.push({
      path: ['groups', 'operations', 'search'],
      message:
        create === 'never'
          ? 'groups.create "never" adopts existing native groups: it needs a search (e.g. by displayName)'
          : 'needs a "search" (e.g. by displayName): a group create whose answer is lost is searched for before it is sent again, or it would make a second native group',
    });
  }
  if (members.on === 'user' && parts.toNative.fields.some((f) => f.scimKeys.some((k) => k.startsWith('members.')))) {
    problems.push({ path: ['groups', 'toNative'], message: 'members are written on each user (groups.members.on: user): do not map them here' });
  }
}

/** toNative fields whose value comes back through toScim, so a read-back can compare them. */
function verifiableFields(toNative: CompiledMapping, toScim: CompiledMapping): Set<string> {
  const read = new Set(toScim.fields.flatMap((f) => f.scimKeys));
  return new Set(toNative.fields.filter((f) => f.scimKeys.some((k) => read.has(k))).map((f) => f.target));
}

/** The flag both ways: SCIM `active` (absent = active) → the native field; the field's states → `active`. */
function addFlagFields(active: Extract<ActiveMode, { mode: 'flag' }>, toNative: CompiledField[], toScim: CompiledField[]): void {
  toNative.push({
    target: active.field,
    write: (out, value) => setNative(out, active.field, value),
    sources: [],
    compute: (view) => (view.active === false ? active.inactive : active.active),
    clear: null,
    scimKeys: ['active.'],
  });
  if (toScim.some((f) => f.target.toLowerCase() === 'active')) return;
  const key = (v: unknown) => JSON.stringify(v);
  const activeStates = new Set(active.states.active.map(key));
  const inactiveStates = new Set(active.states.inactive.map(key));
  toScim.push({
    target: 'active',
    write: (out, value) => (out.active = value),
    sources: [],
    // A value in neither list (or no value) is an unknown state: `active` is left out, never guessed.
    compute: (record) => {
      const value = key(getNative(record, active.field));
      return inactiveStates.has(value) ? false : activeStates.has(value) ? true : undefined;
    },
    clear: null,
    reads: [active.field],
    scimKeys: ['active.'],
  });
}
