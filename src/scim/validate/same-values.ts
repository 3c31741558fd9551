/**
 * Deep equality of two JSON values, used to tell whether a PATCH or PUT changed a resource (an unchanged
 * resource keeps its version, so its ETag, and causes no downstream call). Object key order does not
 * matter; array order does (it is part of what the client reads back). Iterative, so a deep value
 * cannot exhaust the stack.
 */

import type { JsonObject } from '../../store/types.js';

export function sameJsonValues(a: unknown, b: unknown): boolean {
  const pending: [unknown, unknown][] = [[a, b]];
  while (pending.length > 0) {
    const [x, y] = pending.pop()!;
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) pending.push([x[i], y[i]]);
      continue;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    const keys = Object.keys(xo);
    if (keys.length !== Object.keys(yo).length) return false;
    for (const key of keys) {
      if (!Object.prototype.hasOwnProperty.call(yo, key)) return false;
      pending.push([xo[key], yo[key]]);
    }
  }
  return true;
}

/** True when two resource representations hold the same values. */
export function sameResourceValues(a: JsonObject, b: JsonObject): boolean {
  return sameJsonValues(a, b);
}
