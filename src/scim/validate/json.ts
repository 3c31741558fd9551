/**
 * Small helpers for walking client JSON safely: plain-object checks, own-property writes that cannot
 * reach a prototype, and short quoting of hostile strings in error details.
 */

import type { JsonObject } from '../../store/types.js';

/** True for `{...}` as JSON.parse makes it: not null, not an array, not a class instance. */
export function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Writes an own data property. A plain `obj[key] = v` with key `__proto__` would replace the prototype, so
 * that key goes through defineProperty; any other key is assigned (the same, and keeps the object fast).
 */
export function setOwn(target: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Own property read that never falls through to the prototype chain. */
export function getOwn(source: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(source, key) ? source[key] : undefined;
}

const MAX_QUOTED = 80;

/** A client string fit for an error detail: JSON-quoted and cut short, so details stay small. */
export function quote(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
}
