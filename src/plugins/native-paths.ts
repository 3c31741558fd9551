/**
 * Native fields addressed by dotted paths (`work.reportsTo.id`; in answers, digits index lists:
 * `results.0.id`). The format refuses prototype keys at load; reads still only follow own properties, so
 * a native body can never reach Object.prototype.
 */
import type { JsonObject } from '../store/types.js';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function getNative(record: unknown, path: string): unknown {
  let value = record;
  for (const key of path.split('.')) {
    if (Array.isArray(value) && /^\d+$/.test(key)) {
      value = value[Number(key)];
      continue;
    }
    if (!isObject(value) || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

export function setNative(record: JsonObject, path: string, value: unknown): void {
  const keys = path.split('.');
  let parent = record;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(parent[key])) parent[key] = {};
    parent = parent[key] as JsonObject;
  }
  parent[keys[keys.length - 1]!] = value;
}
