/**
 * Every recursive function a client's input reaches, fed deep input: each either answers or throws a 400
 * ScimError — never a stack overflow (a RangeError, which the gateway would answer with 500). The door
 * refuses deep bodies before any of these runs (test/http/deep-values.test.ts); this pins that each holds
 * on its own too. Hostile values are looped through one assertion.
 */
import { describe, expect, it } from 'vitest';
import { entraDialect } from '../../src/dialect/entra.js';
import { strictDialect } from '../../src/dialect/strict.js';
import { ScimError } from '../../src/scim/errors.js';
import { matchesFilter, parseFilter, parsePatchPath, planFilter, validateFilter } from '../../src/scim/filter/index.js';
import { nestingDepthExceeds } from '../../src/scim/json-depth.js';
import { countMembers } from '../../src/scim/member-count.js';
import { applyPatch, type JsonObject } from '../../src/scim/patch.js';
import { parseAttributeList, project } from '../../src/scim/projection.js';
import { canonicalizeResource, sameResourceValues } from '../../src/scim/resource.js';
import { ENTERPRISE_USER_SCHEMA as ENT, enterpriseUserSchema, GROUP_SCHEMA, SchemaRegistry, USER_SCHEMA } from '../../src/scim/schemas/registry.js';

const registry = new SchemaRegistry({ User: [enterpriseUserSchema] });
const userCtx = { registry, type: 'User' as const };
const groupCtx = { registry, type: 'Group' as const };
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LEVELS = 10_000;

/** `levels` arrays (or objects under `key`) around `leaf`, built without recursion. */
function nest(levels: number, leaf: unknown, key?: string): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i += 1) value = key === undefined ? [value] : { [key]: value };
  return value;
}

/** Each makes a fresh copy, so a comparison sees two deep values rather than one value twice. */
const hostileValues: { name: string; make: () => unknown }[] = [
  { name: `${LEVELS}-level array around an id`, make: () => nest(LEVELS, 'boss-1') },
  { name: `${LEVELS}-level array around {value}`, make: () => nest(LEVELS, { value: 'boss-1' }) },
  { name: `${LEVELS}-level {value: …} chain`, make: () => nest(LEVELS, 'boss-1', 'value') },
  { name: `${LEVELS}-level object chain`, make: () => nest(LEVELS, 'x', 'a') },
  { name: 'alternating arrays and objects', make: () => nest(LEVELS / 2, ['x'], 'value') },
];

const hostileTexts: { name: string; text: string }[] = [
  { name: 'parentheses', text: `${'('.repeat(LEVELS)}userName pr${')'.repeat(LEVELS)}` },
  { name: '"not ("', text: `${'not ('.repeat(LEVELS)}userName pr${')'.repeat(LEVELS)}` },
  { name: 'brackets', text: `emails${'[value'.repeat(LEVELS)} pr${']'.repeat(LEVELS)}` },
  { name: 'a long "and" chain', text: Array.from({ length: LEVELS }, () => 'userName eq "a"').join(' and ') },
  { name: 'a long "or" chain in brackets', text: `emails[${Array.from({ length: LEVELS }, () => 'type eq "work"').join(' or ')}]` },
  { name: 'within the length limit', text: `${'('.repeat(4000)}userName pr${')'.repeat(4000)}` },
];

/** What each function may do with hostile input: answer, or throw a 400 ScimError. */
function expectAnswerOr400(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBe(400);
  }
}

const user = (extra: JsonObject): JsonObject => ({ schemas: [USER_SCHEMA, ENT], userName: 'deep@example.com', ...extra });
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

const valueTargets: { name: string; run: (v: unknown, make: () => unknown) => unknown }[] = [
  { name: 'entra normalizeResource: manager in the extension', run: (v) => entraDialect.normalizeResource(user({ [ENT]: { manager: v } }), userCtx) },
  { name: 'entra normalizeResource: manager at the top level', run: (v) => entraDialect.normalizeResource(user({ manager: v }), userCtx) },
  { name: 'entra normalizeResource: members', run: (v) => entraDialect.normalizeResource({ schemas: [GROUP_SCHEMA], displayName: 'g', members: [v] }, groupCtx) },
  { name: 'entra normalizePatch: manager path', run: (v) => entraDialect.normalizePatch(patch({ op: 'Add', path: `${ENT}:manager`, value: v }), userCtx) },
  { name: 'entra normalizePatch: unqualified manager path', run: (v) => entraDialect.normalizePatch(patch({ op: 'Replace', path: 'manager', value: v }), userCtx) },
  { name: 'entra normalizePatch: path-less extension', run: (v) => entraDialect.normalizePatch(patch({ op: 'Replace', value: { [ENT]: { manager: v } } }), userCtx) },
  { name: 'entra normalizePatch: members remove by value', run: (v) => entraDialect.normalizePatch(patch({ op: 'Remove', path: 'members', value: v }), groupCtx) },
  { name: 'strict normalizePatch', run: (v) => strictDialect.normalizePatch(patch({ op: 'add', path: 'title', value: v }), userCtx) },
  {
    name: 'dialect, then engine, then canonicalization (the service pipeline)',
    run: (v) => canonicalizeResource(applyPatch(user({}), entraDialect.normalizePatch(patch({ op: 'Add', path: 'manager', value: v }), userCtx), userCtx), userCtx),
  },
  { name: 'applyPatch: path-less value', run: (v) => applyPatch(user({}), [{ op: 'add', value: { title: v } }], userCtx) },
  { name: 'applyPatch: members', run: (v) => applyPatch({ schemas: [GROUP_SCHEMA], displayName: 'g' }, [{ op: 'add', path: 'members', value: v }], groupCtx) },
  { name: 'canonicalizeResource: a string attribute', run: (v) => canonicalizeResource(user({ title: v }), userCtx) },
  { name: 'canonicalizeResource: the extension', run: (v) => canonicalizeResource(user({ [ENT]: v }), userCtx) },
  { name: 'canonicalizeResource: manager', run: (v) => canonicalizeResource(user({ [ENT]: { manager: v } }), userCtx) },
  { name: 'sameResourceValues', run: (v, make) => sameResourceValues({ a: v }, { a: make() }) },
  { name: 'project: a stored value', run: (v) => project(user({ title: v, [ENT]: { manager: v } }), { attributes: parseAttributeList('title,manager') }, userCtx) },
  { name: 'project: excluded attributes', run: (v) => project(user({ nickName: v }), { excludedAttributes: parseAttributeList('title', 'excludedAttributes') }, userCtx) },
  { name: 'matchesFilter on a resource', run: (v) => matchesFilter(user({ title: v, emails: v }), parseFilter('title eq "x" or emails[type eq "work"]'), userCtx) },
  { name: 'countMembers (the door)', run: (v) => countMembers(patch({ op: 'add', path: 'members', value: v }, { op: 'add', value: { members: v } }), 'patch') },
  { name: 'nestingDepthExceeds (the door)', run: (v) => nestingDepthExceeds(v, 32) },
];

describe('deep JSON values reach no recursive function unbounded', () => {
  const cases = valueTargets.flatMap((t) => hostileValues.map((h) => ({ name: `${t.name} — ${h.name}`, run: t.run, make: h.make })));
  for (const { name, run, make } of cases) {
    it(name, () => expectAnswerOr400(() => run(make(), make)));
  }
});

describe('deeply nested filter and path text', () => {
  const parsers: { name: string; run: (text: string) => unknown }[] = [
    { name: 'parseFilter', run: (t) => parseFilter(t) },
    { name: 'parsePatchPath', run: (t) => parsePatchPath(t) },
    { name: 'parsePatchPath in a members filter', run: (t) => parsePatchPath(`members[${t}]`) },
    {
      name: 'validate, plan and evaluate a parsed filter',
      run: (t) => {
        const filter = parseFilter(t);
        validateFilter(filter, userCtx);
        planFilter(filter, userCtx);
        return matchesFilter(user({}), filter, userCtx);
      },
    },
    { name: 'entra normalizePatch with the text as a path', run: (t) => entraDialect.normalizePatch(patch({ op: 'remove', path: t }), userCtx) },
    { name: 'parseAttributeList', run: (t) => parseAttributeList(t) },
  ];
  const cases = parsers.flatMap((p) => hostileTexts.map((h) => ({ name: `${p.name} — ${h.name}`, run: p.run, text: h.text })));
  for (const { name, run, text } of cases) {
    it(name, () => expectAnswerOr400(() => run(text)));
  }
});

describe('nestingDepthExceeds', () => {
  const rows: { value: unknown; depth: number }[] = [
    { value: 'x', depth: 0 },
    { value: null, depth: 0 },
    { value: [], depth: 1 },
    { value: {}, depth: 1 },
    { value: { a: [1, { b: 'x' }] }, depth: 3 },
    { value: [[], [[]], []], depth: 3 },
    { value: { schemas: [PATCH_OP], Operations: [{ op: 'add', value: { [ENT]: { manager: { value: 'b' } } } }] }, depth: 6 },
    { value: nest(LEVELS, 'x'), depth: LEVELS },
  ];
  it.each(rows)('depth $depth', ({ value, depth }) => {
    expect(nestingDepthExceeds(value, depth)).toBe(false);
    expect(nestingDepthExceeds(value, depth - 1)).toBe(depth > 0);
  });
});
