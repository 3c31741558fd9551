/**
 * Checks one attribute value against its definition (RFC 7643 §2.3) and returns its canonical form:
 * sub-attribute names in schema casing, Entra's "True"/"False" strings as booleans, null and empty
 * values dropped. Everything else is kept exactly as sent. Recursion follows the schema, never the input,
 * so its depth is that of the schema whatever the client nests.
 */

import { invalidSyntax, invalidValue } from '../errors.js';
import { findSubAttribute } from '../schemas/registry.js';
import type { AttributeDefinition } from '../schemas/types.js';
import type { JsonObject } from '../../store/types.js';
import { isXsdDateTime } from './date-time.js';
import { isPlainObject, quote, setOwn } from './json.js';

/** Size sanity limits on client values; the body size limit bounds the rest. */
export const VALUE_LIMITS = Object.freeze({ maxStringLength: 64 * 1024, maxArrayLength: 100_000 });

// Entra without the aadOptscim062020 flag sends booleans as strings (ENTRA.md #10).
const BOOLEAN_STRINGS: ReadonlyMap<string, boolean> = new Map([
  ['True', true],
  ['true', true],
  ['False', false],
  ['false', false],
]);

// RFC 4648 §4 base64 with padding; a linear pattern.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The own entries of a client object, refusing keys that differ only by case: which of the two
 * the client meant is unknowable.
 */
export function entriesIgnoringCase(obj: JsonObject, where: string): [string, unknown][] {
  const seen = new Map<string, string>();
  const entries: [string, unknown][] = [];
  for (const key of Object.keys(obj)) {
    const folded = key.toLowerCase();
    const earlier = seen.get(folded);
    if (earlier !== undefined) {
      throw invalidSyntax(`${where} has both ${quote(earlier)} and ${quote(key)}; attribute names are case-insensitive`);
    }
    seen.set(folded, key);
    entries.push([key, obj[key]]);
  }
  return entries;
}

/** The canonical value of attribute `def`, or undefined when the value is unassigned (null, empty). */
export function canonicalizeAttribute(def: AttributeDefinition, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  return def.multiValued ? canonicalizeMultiValued(def, value, path) : canonicalizeSingle(def, value, path);
}

function canonicalizeMultiValued(def: AttributeDefinition, value: unknown, path: string): unknown[] | undefined {
  if (!Array.isArray(value)) throw invalidValue(`Attribute ${path} is multi-valued and must be an array`);
  if (value.length > VALUE_LIMITS.maxArrayLength) {
    throw invalidValue(`Attribute ${path} has more than ${VALUE_LIMITS.maxArrayLength} values`);
  }
  const out: unknown[] = [];
  let primaries = 0;
  for (let i = 0; i < value.length; i++) {
    const elementPath = `${path}[${i}]`;
    const element: unknown = value[i];
    // A null element is not "unassigned": it is no value at all inside a list.
    if (element === null) throw invalidValue(`Attribute ${elementPath} is null`);
    const canonical = canonicalizeSingle(def, element, elementPath);
    if (canonical === undefined) continue;
    if (isPlainObject(canonical) && canonical['primary'] === true) primaries++;
    out.push(canonical);
  }
  // RFC 7643 §2.4: the primary attribute value "true" MUST appear no more than once.
  if (primaries > 1) throw invalidValue(`Attribute ${path} has more than one primary value`);
  return out.length > 0 ? out : undefined;
}

function canonicalizeSingle(def: AttributeDefinition, value: unknown, path: string): unknown {
  if (value === null) return undefined;
  switch (def.type) {
    case 'complex':
      return canonicalizeComplex(def, value, path);
    case 'string':
    case 'reference':
      return checkedString(value, path, def.type);
    case 'binary': {
      const text = checkedString(value, path, 'binary');
      if (text.length % 4 !== 0 || !BASE64.test(text)) throw invalidValue(`Attribute ${path} must be base64`);
      return text;
    }
    case 'dateTime': {
      const text = checkedString(value, path, 'dateTime');
      if (!isXsdDateTime(text)) throw invalidValue(`Attribute ${path} must be an xsd:dateTime such as 2008-01-23T04:56:22Z`);
      return text;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      const coerced = typeof value === 'string' ? BOOLEAN_STRINGS.get(value) : undefined;
      if (coerced === undefined) throw invalidValue(`Attribute ${path} must be a boolean`);
      return coerced;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidValue(`Attribute ${path} must be an integer`);
      return value;
    case 'decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidValue(`Attribute ${path} must be a number`);
      return value;
  }
}

function checkedString(value: unknown, path: string, type: string): string {
  if (typeof value !== 'string') throw invalidValue(`Attribute ${path} must be a ${type} (a JSON string)`);
  if (value.length > VALUE_LIMITS.maxStringLength) {
    throw invalidValue(`Attribute ${path} is longer than ${VALUE_LIMITS.maxStringLength} characters`);
  }
  return value;
}

function canonicalizeComplex(def: AttributeDefinition, value: unknown, path: string): JsonObject | undefined {
  if (!isPlainObject(value)) throw invalidValue(`Attribute ${path} must be an object`);
  const out: JsonObject = {};
  for (const [key, subValue] of entriesIgnoringCase(value, `Attribute ${path}`)) {
    const sub = findSubAttribute(def, key);
    if (!sub) throw invalidSyntax(`Attribute ${path} has no sub-attribute ${quote(key)}`);
    // RFC 7644 §3.3: readOnly values sent by the client are ignored.
    if (sub.mutability === 'readOnly') continue;
    const canonical = canonicalizeAttribute(sub, subValue, `${path}.${sub.name}`);
    if (canonical !== undefined) setOwn(out, sub.name, canonical);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
