/**
 * A plugin's field mappings, both ways: `toNative` (SCIM resource → native fields) and `toScim` (native
 * record → SCIM attributes, for adoption). Each target field is computed in the same steps:
 * `from` (first path with a value) → `rule` (json-logic, sees `value`) or `const` → `default` →
 * `reference` (ids translated through the id map) → `as` (native type).
 */
import type { ResourceTypeName } from '../scim/schemas/registry.js';
import type { JsonObject } from '../store/types.js';
import type { FieldRuleInput } from './format.js';
import { getNative, setNative } from './native-paths.js';
import { MappingError, evaluateRule } from './operations.js';
import { compileRule, type RuleProblem } from './rules.js';
import { compileScimPath, readScim, whyNotWritable, writeScim, type PathScope, type ScimPath } from './scim-paths.js';
import { checkViewVar, scimView } from './view.js';

export type Direction = 'toNative' | 'toScim';
export type NativeType = 'string' | 'integer' | 'number' | 'boolean';

export interface CompiledField {
  /** The target as written in the plugin (native field or SCIM path). */
  target: string;
  write(out: JsonObject, value: unknown): void;
  /** `from`: readers tried in order. */
  sources: ((record: JsonObject) => unknown)[];
  rule?: unknown;
  constant?: { value: unknown };
  fallback?: { value: unknown };
  /** Built-in fields (the `active` flag) compute their value from the view directly. */
  compute?: (view: JsonObject) => unknown;
  reference?: ResourceTypeName;
  as?: NativeType;
  /** Sent for a field whose value went away on an update... */
  clear: unknown;
  /** ...at this parent path instead of the target, when given. */
  clearAt?: string;
  /** toNative: the write operations that send the field (undefined: all). */
  in?: ReadonlySet<'create' | 'update'>;
  /** toNative: the API takes the field only at creation; a change is refused or reported. */
  createOnly?: 'refuse' | 'report';
  /** toScim: the native fields the value is read from (`from` and the rule's vars), for the read side. */
  reads?: readonly string[];
  /** The SCIM attributes involved (toNative: its sources; toScim: its target), as comparable keys. */
  scimKeys: readonly string[];
}

export interface CompiledMapping {
  direction: Direction;
  fields: CompiledField[];
  /** What rules see: the SCIM view (aliases) for toNative, the native record for toScim. */
  view(record: JsonObject): JsonObject;
}

export interface Problem {
  path: (string | number)[];
  message: string;
}

/** How references that have no counterpart are handled. */
export type Unresolved = 'error' | 'drop' | 'placeholder';

export interface MapOptions {
  /** toNative: SCIM id → native id; toScim: native id → SCIM id. */
  resolve(type: ResourceTypeName, id: string): Promise<string | undefined>;
  unresolved: Unresolved;
  /** ISO instant of the call, `{"var": "now"}` in rules. */
  now: string;
}

const NATIVE_PATH = /^[A-Za-z_$][A-Za-z0-9_$-]*(?:\.[A-Za-z_$][A-Za-z0-9_$-]*)*$/;

export const placeholderId = (type: ResourceTypeName, id: string) => `<native id of ${type} ${id}>`;

export function compileMapping(
  direction: Direction,
  raw: Record<string, FieldRuleInput>,
  scope: PathScope,
  tables: ReadonlyMap<string, Record<string, unknown>>,
  problems: Problem[],
): CompiledMapping {
  const fields: CompiledField[] = [];
  for (const [target, input] of Object.entries(raw)) {
    const field = compileField(direction, target, typeof input === 'string' ? { from: input } : input, scope, tables, problems);
    if (field) fields.push(field);
  }
  return {
    direction,
    fields,
    view: direction === 'toNative' ? (record) => scimView(record, scope) : (record) => record,
  };
}

function compileField(
  direction: Direction,
  target: string,
  input: Exclude<FieldRuleInput, string>,
  scope: PathScope,
  tables: ReadonlyMap<string, Record<string, unknown>>,
  problems: Problem[],
): CompiledField | undefined {
  const before = problems.length;
  const at = (...rest: (string | number)[]) => [target, ...rest];
  const has = (key: string) => Object.hasOwn(input, key) && (input as Record<string, unknown>)[key] !== undefined;
  if (has('rule') && has('const')) problems.push({ path: at(), message: 'give "rule" or "const", not both' });
  if (!has('from') && !has('rule') && !has('const')) problems.push({ path: at(), message: 'needs "from", "rule" or "const"' });
  if (has('from') && has('const')) problems.push({ path: at(), message: 'give "from" or "const", not both' });

  let write: CompiledField['write'] = () => {};
  const scimKeys: string[] = [];
  if (direction === 'toNative') {
    write = (out, value) => setNative(out, target, value);
  } else {
    try {
      const path = compileScimPath(target, scope);
      const why = whyNotWritable(path, true);
      if (why) problems.push({ path: at(), message: why });
      write = (out, value) => writeScim(out, path, value);
      scimKeys.push(scimKeyOf(path));
    } catch (error) {
      problems.push({ path: at(), message: (error as Error).message });
    }
  }

  const sources: CompiledField['sources'] = [];
  const froms = input.from === undefined ? [] : Array.isArray(input.from) ? input.from : [input.from];
  froms.forEach((from, i) => {
    const where = Array.isArray(input.from) ? at('from', i) : at('from');
    if (direction === 'toScim') {
      if (!NATIVE_PATH.test(from)) problems.push({ path: where, message: `"${from}" is not a native field name (dotted for nesting)` });
      else sources.push((record) => getNative(record, from));
      return;
    }
    try {
      const path = compileScimPath(from, scope);
      sources.push((record) => readScim(record, path));
      scimKeys.push(scimKeyOf(path));
    } catch (error) {
      problems.push({ path: where, message: (error as Error).message });
    }
  });

  let rule: unknown;
  const reads = direction === 'toScim' ? [...froms] : [];
  if (has('rule')) {
    const ruleProblems: RuleProblem[] = [];
    const withValue = froms.length > 0;
    const checkVar =
      direction === 'toNative'
        ? (p: string) => checkViewVar(p, scope, withValue)
        : (p: string) => {
            if (p.split('.')[0] === 'value') return withValue ? undefined : '"value" only exists in a rule that has "from"';
            if (p !== '') reads.push(p);
            return undefined;
          };
    rule = compileRule(input.rule, { checkVar, tables }, ruleProblems);
    problems.push(...ruleProblems.map((p) => ({ path: at('rule', ...p.path), message: p.message })));
  }
  if (input.clearAt !== undefined && (direction !== 'toNative' || !target.startsWith(`${input.clearAt}.`))) {
    problems.push({ path: at('clearAt'), message: `"clearAt" must be a parent of the native field "${target}" (toNative only)` });
  }
  for (const key of ['in', 'createOnly'] as const) {
    if (direction === 'toScim' && input[key] !== undefined) problems.push({ path: at(key), message: `"${key}" is about writes: toNative only` });
  }
  if (input.createOnly !== undefined && input.in !== undefined && !input.in.includes('create')) {
    problems.push({ path: at('createOnly'), message: 'a create-only field must be sent by the create ("in" leaves it out)' });
  }
  if (problems.length > before) return undefined;

  const field: CompiledField = { target, write, sources, clear: has('clear') ? input.clear : null, scimKeys };
  if (has('rule')) field.rule = rule;
  if (has('const')) field.constant = { value: input.const };
  if (has('default')) field.fallback = { value: input.default };
  if (input.reference) field.reference = input.reference;
  if (input.as) field.as = input.as;
  if (input.clearAt) field.clearAt = input.clearAt;
  if (input.in) field.in = new Set(input.in);
  if (input.createOnly) field.createOnly = input.createOnly;
  if (direction === 'toScim') field.reads = reads;
  return field;
}

/** One SCIM attribute, however it is spelled (alias or URN, any case): keys, sub-attribute, filter equalities. */
function scimKeyOf(path: ScimPath): string {
  const key = [...path.keys, path.sub ?? ''].join('.').toLowerCase();
  return path.equalities ? `${key}${JSON.stringify(path.equalities).toLowerCase()}` : key;
}

const absent = (v: unknown) => v === undefined || v === null;
const blank = (v: unknown) => absent(v) || v === '';

/** The value of every field that has one, by target. */
export async function mapRecord(mapping: CompiledMapping, record: JsonObject, options: MapOptions): Promise<Map<string, unknown>> {
  const view = { ...mapping.view(record), now: options.now };
  const values = new Map<string, unknown>();
  for (const field of mapping.fields) {
    try {
      const value = await fieldValue(field, record, view, options);
      if (!absent(value)) values.set(field.target, value);
    } catch (error) {
      if (error instanceof MappingError) throw new MappingError(`${field.target}: ${error.message}`);
      throw error;
    }
  }
  return values;
}

async function fieldValue(field: CompiledField, record: JsonObject, view: JsonObject, options: MapOptions): Promise<unknown> {
  let value: unknown;
  if (field.compute) value = field.compute(view);
  for (const read of field.sources) {
    value = read(record);
    if (!blank(value)) break;
  }
  if (field.rule !== undefined) value = evaluateRule(field.rule, { ...view, value: value ?? null });
  else if (field.constant) value = field.constant.value;
  if (blank(value) && field.fallback) value = field.fallback.value;
  if (absent(value)) return undefined;
  if (field.reference) value = await resolveReferences(field.reference, value, options);
  if (absent(value)) return undefined;
  return field.as ? convert(value, field.as) : value;
}

async function resolveReferences(type: ResourceTypeName, value: unknown, options: MapOptions): Promise<unknown> {
  const one = async (id: unknown): Promise<unknown> => {
    if (absent(id) || id === '') return undefined;
    if (typeof id === 'object') throw new MappingError(`a reference must be an id, not ${Array.isArray(id) ? 'a list' : 'an object'}`);
    const key = String(id);
    const found = await options.resolve(type, key);
    if (found !== undefined) return found;
    if (options.unresolved === 'error') throw new MappingError(`the ${type} "${key}" has no record in the downstream system`);
    return options.unresolved === 'placeholder' ? placeholderId(type, key) : undefined;
  };
  if (!Array.isArray(value)) return one(value);
  const ids = await Promise.all(value.map(one));
  return ids.filter((id) => id !== undefined);
}

function convert(value: unknown, as: NativeType): unknown {
  if (Array.isArray(value)) return value.map((v) => convert(v, as));
  // Placeholders (explain, unresolved before-images) stay readable.
  if (typeof value === 'string' && value.startsWith('<native id of ')) return value;
  switch (as) {
    case 'string':
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value);
      throw new MappingError(`${JSON.stringify(value)?.slice(0, 40)} is not an integer`);
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(n)) throw new MappingError(`${JSON.stringify(value)?.slice(0, 40)} is not a number`);
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw new MappingError(`${JSON.stringify(value)?.slice(0, 40)} is not a boolean`);
  }
}

/** An object with `values` written at their targets (all of them, or those in `only`). */
export function writeFields(mapping: CompiledMapping, values: ReadonlyMap<string, unknown>, only?: ReadonlySet<string>): JsonObject {
  const out: JsonObject = {};
  for (const field of mapping.fields) {
    if (only && !only.has(field.target)) continue;
    if (values.has(field.target)) field.write(out, values.get(field.target));
  }
  return out;
}

/** Whether `operation` sends the field (`in`, absent: every write). */
export const sentBy = (field: CompiledField, operation: 'create' | 'update'): boolean => field.in === undefined || field.in.has(operation);
