/**
 * `verify: readBack`: what was written is compared, field by field in native terms, with the record read
 * back and mapped through toScim and toNative again (so an API that answers dates or states in another
 * form than it takes them still compares equal when it applied the write).
 */
import type { MapOptions } from '../../plugins/index.js';

/** Marks a native id carried through the round trip unchanged (no id map is consulted). */
const NATIVE = '\u0000native:';

/** References pass through the round trip as the native ids they are. */
export function verifyResolvers(): { toScim: Omit<MapOptions, 'now'>; toNative: Omit<MapOptions, 'now'> } {
  return {
    toScim: { resolve: async (_type, id) => `${NATIVE}${id}`, unresolved: 'drop' },
    toNative: { resolve: async (_type, id) => (id.startsWith(NATIVE) ? id.slice(NATIVE.length) : undefined), unresolved: 'drop' },
  };
}

const blank = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** The fields of `compared` whose value read back is not the one written (null, missing and "" are the same). */
export function differingFields(compared: readonly string[], written: ReadonlyMap<string, unknown>, back: ReadonlyMap<string, unknown>): string[] {
  return compared.filter((target) => {
    const a = written.get(target);
    const b = back.get(target);
    if (blank(a) && blank(b)) return false;
    return JSON.stringify(a) !== JSON.stringify(b);
  });
}
