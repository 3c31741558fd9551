/**
 * `verify: readBack`: what was written is compared, field by field in native terms, with the record read
 * back and mapped through toScim and toNative again (so an API that answers dates or states in another
 * form than it takes them still compares equal when it applied the write).
 */
import { mapRecord, writeFields, type MapOptions } from '../../plugins/index.js';
import type { CompiledResource } from '../../plugins/types.js';
import type { JsonObject } from '../../store/types.js';

/** Marks a native id carried through the round trip unchanged (no id map is consulted). */
const NATIVE = '\u0000native:';

/** References pass through the round trip as the native ids they are. */
const TO_SCIM: Omit<MapOptions, 'now'> = { resolve: async (_type, id) => `${NATIVE}${id}`, unresolved: 'drop' };
const TO_NATIVE: Omit<MapOptions, 'now'> = { resolve: async (_type, id) => (id.startsWith(NATIVE) ? id.slice(NATIVE.length) : undefined), unresolved: 'drop' };

/** The fields of `compared` the record read back (its read view) does not hold as `written`. Throws MappingError. */
export async function unappliedFields(r: CompiledResource, view: JsonObject, written: ReadonlyMap<string, unknown>, compared: readonly string[], now: string): Promise<string[]> {
  const scim = writeFields(r.toScim, await mapRecord(r.toScim, view, { ...TO_SCIM, now }));
  const again = await mapRecord(r.toNative, scim, { ...TO_NATIVE, now });
  return differingFields(compared, written, again);
}

const blank = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** The fields of `compared` whose value read back is not the one written (null, missing and "" are the same). */
function differingFields(compared: readonly string[], written: ReadonlyMap<string, unknown>, back: ReadonlyMap<string, unknown>): string[] {
  return compared.filter((target) => {
    const a = written.get(target);
    const b = back.get(target);
    if (blank(a) && blank(b)) return false;
    return JSON.stringify(a) !== JSON.stringify(b);
  });
}
