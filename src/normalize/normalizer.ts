/**
 * Extension normalization: the SCIM the gateway keeps (exactly what the client sent) turned into the SCIM
 * the app takes (`toApp`: a tenant's URN renamed to the app's, attributes moved, values in the app's
 * formats), and an app's resource read back into the client's terms (`fromApp`, for adoption). Compiled
 * once at load; every rule is checked then, so a bad one stops start-up, not a request.
 */
import { checkLayout, formatDate, isoDate, parseLayoutDate } from '../plugins/dates.js';
import { invalidValue } from '../scim/errors.js';
import type { JsonObject } from '../store/types.js';
import { parseDirectoryDate } from './dates.js';
import type { NormalizeInput } from './format.js';
import { findKey } from '../scim/patch/json.js';
import { deleteAt, getAt, parseAttributePath, setAt, type AttributePath } from './paths.js';

export interface Normalizer {
  /** The gateway's resource (canonical, as the client sent it) as the app takes it; throws 400 invalidValue for a value that cannot be converted. */
  toApp(resource: JsonObject): JsonObject;
  /** An app's resource in the client's terms (the way back of every rule that has one). */
  fromApp(resource: JsonObject): JsonObject;
  /** One line per rule, for validate and explain. */
  describe(): string[];
}

type ValueRule = NormalizeInput['values'][number];

interface ValueConversion {
  path: AttributePath;
  shown: string;
  down(value: unknown): unknown;
  up(value: unknown): unknown;
  describe: string;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function valueConversion(rule: ValueRule): ValueConversion {
  const path = parseAttributePath(rule.path);
  const base = { path, shown: rule.path };
  if (rule.date !== undefined) {
    const layout = rule.date;
    return {
      ...base,
      describe: `${rule.path}: a date, sent as ${layout} (ISO 8601 and AD generalized time are read)`,
      down: (value) => {
        if (typeof value !== 'string') throw invalidValue(`"${rule.path}" must be a date string`);
        const date = parseDirectoryDate(value) ?? parseLayoutDate(value, layout);
        if (!date) throw invalidValue(`"${rule.path}" is not a date (ISO 8601, e.g. 2026-03-01, or ${layout})`);
        return formatDate(date, layout);
      },
      up: (value) => {
        const date = typeof value === 'string' ? parseLayoutDate(value, layout) : undefined;
        return date ? isoDate(date) : value;
      },
    };
  }
  if (rule.case !== undefined) {
    const lower = rule.case === 'lower';
    return {
      ...base,
      describe: `${rule.path}: sent in ${rule.case} case (read back as the client sent it)`,
      down: (value) => (typeof value === 'string' ? (lower ? value.toLowerCase() : value.toUpperCase()) : value),
      up: (value) => value,
    };
  }
  const joining = rule.join !== undefined;
  const separator = (rule.join ?? rule.split)!;
  const join = (value: unknown) => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? value.join(separator) : value);
  const split = (value: unknown) => (typeof value === 'string' ? value.split(separator) : value);
  return {
    ...base,
    describe: `${rule.path}: ${joining ? `a list joined with "${separator}"` : `split at "${separator}"`}`,
    down: joining ? join : split,
    up: joining ? split : join,
  };
}

/** The `schemas` list after a URN left or arrived: present extensions listed, absent ones not. */
function fixSchemas(resource: JsonObject, urns: readonly string[]): void {
  const listed = Array.isArray(resource.schemas) ? (resource.schemas as string[]).slice() : [];
  for (const urn of urns) {
    const present = findKey(resource, urn) !== undefined;
    const at = listed.findIndex((s) => same(s, urn));
    if (present && at < 0) listed.push(urn);
    if (!present && at >= 0) listed.splice(at, 1);
  }
  resource.schemas = listed;
}

function renameUrn(resource: JsonObject, from: string, to: string): void {
  const key = findKey(resource, from);
  if (key === undefined) return;
  const moved = resource[key] as JsonObject;
  delete resource[key];
  const target = findKey(resource, to) ?? to;
  resource[target] = { ...((resource[target] as JsonObject | undefined) ?? {}), ...moved };
  fixSchemas(resource, [from, to]);
}

function moveAttribute(resource: JsonObject, from: AttributePath, to: AttributePath): void {
  const value = getAt(resource, from);
  if (value === undefined) return;
  deleteAt(resource, from);
  setAt(resource, to, value);
  fixSchemas(resource, [from.urn, to.urn].filter((u): u is string => u !== undefined));
}

function convertAt(resource: JsonObject, conversion: ValueConversion, direction: 'down' | 'up'): void {
  const value = getAt(resource, conversion.path);
  if (value === undefined || value === null) return;
  setAt(resource, conversion.path, conversion[direction](value));
}

/** Compiles a normalize section; problems are pushed as `<where>.<path>: message`, and undefined returned. */
export function compileNormalizer(input: NormalizeInput, where: string, problems: string[]): Normalizer | undefined {
  const before = problems.length;
  input.urns.forEach((u, i) => {
    if (same(u.from, u.to)) problems.push(`${where}.urns.${i}: "from" and "to" are the same URN`);
  });
  input.attributes.forEach((a, i) => {
    if (same(a.from, a.to)) problems.push(`${where}.attributes.${i}: "from" and "to" are the same attribute`);
  });
  input.values.forEach((v, i) => {
    const why = v.date === undefined ? undefined : checkLayout(v.date);
    if (why) problems.push(`${where}.values.${i}.date: ${why}`);
  });
  if (problems.length > before) return undefined;

  const moves = input.attributes.map((a) => ({ from: parseAttributePath(a.from), to: parseAttributePath(a.to), shown: `${a.from} → ${a.to}` }));
  const conversions = input.values.map(valueConversion);
  return Object.freeze({
    toApp(resource: JsonObject): JsonObject {
      const out = structuredClone(resource);
      for (const u of input.urns) renameUrn(out, u.from, u.to);
      for (const m of moves) moveAttribute(out, m.from, m.to);
      for (const c of conversions) convertAt(out, c, 'down');
      return out;
    },
    fromApp(resource: JsonObject): JsonObject {
      const out = structuredClone(resource);
      for (const c of conversions.slice().reverse()) convertAt(out, c, 'up');
      for (const m of moves.slice().reverse()) moveAttribute(out, m.to, m.from);
      for (const u of input.urns.slice().reverse()) renameUrn(out, u.to, u.from);
      return out;
    },
    describe: () => [
      ...input.urns.map((u) => `urn ${u.from} → ${u.to}`),
      ...moves.map((m) => `attribute ${m.shown}`),
      ...conversions.map((c) => `value ${c.describe}`),
    ],
  });
}

/** Two sections as one: the plugin's rules first, then the app's own. */
export function mergeNormalize(plugin: NormalizeInput, app: NormalizeInput): NormalizeInput {
  return { urns: [...plugin.urns, ...app.urns], attributes: [...plugin.attributes, ...app.attributes], values: [...plugin.values, ...app.values] };
}
