/**
 * JSON helpers for PATCH that are safe with client-controlled keys and depths. Keys such as `__proto__`
 * are written as own data properties (never through the prototype setter) and read only when they are
 * own properties, so a hostile body cannot reach `Object.prototype`.
 */
import { invalidValue } from '../errors.js';
import { MAX_JSON_DEPTH } from '../json-depth.js';

export type JsonObject = { [key: string]: unknown };


export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an own property only: `obj['__proto__']` on a plain object would otherwise be Object.prototype. */
export function getOwn(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * Writes an own data property, even for `__proto__`. Only that key needs defineProperty (plain assignment
 * would call the prototype setter); for every other key assignment is the same and keeps the object fast.
 */
export function setOwn(obj: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** The existing key of `obj` that equals `name` ignoring case (SCIM names are case-insensitive, RFC 7644 §3.10). */
export function findKey(obj: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const wanted = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === wanted);
}

/** The value under `name` in any letter case. */
export function getAttr(obj: JsonObject, name: string): unknown {
  const key = findKey(obj, name);
  return key === undefined ? undefined : obj[key];
}

/** Sets `name` under its canonical spelling, dropping any differently-cased duplicate. */
export function setAttr(obj: JsonObject, name: string, value: unknown): void {
  deleteAttr(obj, name);
  setOwn(obj, name, value);
}

/** Deletes `name` in every letter case. */
export function deleteAttr(obj: JsonObject, name: string): void {
  const wanted = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === wanted) delete obj[k];
}

/** A deep copy of a JSON value with own-property keys only; refuses non-JSON values and deep nesting. */
export function cloneJson(value: unknown, depth = 0): unknown {
  if (depth > MAX_JSON_DEPTH) throw invalidValue('Value is nested too deeply');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalidValue('Numbers must be finite');
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => cloneJson(v, depth + 1));
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const k of Object.keys(value)) setOwn(out, k, cloneJson(value[k], depth + 1));
    return out;
  }
  throw invalidValue(`Unsupported value of type ${typeof value}`);
}

/** Structural equality of two JSON values (key order ignored). Inputs are cloned, hence depth-bounded. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * A JSON text of the value with object keys sorted: two values have the same text exactly when jsonEqual
 * holds, so a Set of these finds equal elements in O(1). Inputs are cloned, hence depth-bounded.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Drops nulls, empty arrays and empty objects inside `value` (RFC 7643 §2.5: they all mean "unassigned")
 * and answers undefined when nothing is left. Empty strings are kept: values are stored as sent.
 */
export function prune(value: unknown): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((v) => v !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (isObject(value)) {
    for (const k of Object.keys(value)) {
      const v = prune(value[k]);
      if (v === undefined) delete value[k];
      else setOwn(value, k, v);
    }
    return Object.keys(value).length === 0 ? undefined : value;
  }
  return value;
}

/** Client text echoed in an error detail, quoted and cut short so a hostile one cannot bloat the body. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}
