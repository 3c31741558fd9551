/**
 * A group's member list as every store keeps it: a set in the client's order. A repeated id is stored
 * once, at its first position, with its first raw object.
 */

import { isJsonObject } from './records.js';
import type { MemberRecord } from './types.js';

export function normalizeMembers(members: readonly MemberRecord[]): MemberRecord[] {
  const seen = new Set<string>();
  const out: MemberRecord[] = [];
  for (const member of members) {
    if (typeof member.value !== 'string' || !isJsonObject(member.raw)) {
      throw new TypeError('a member needs a string value and a raw object');
    }
    if (seen.has(member.value)) continue;
    seen.add(member.value);
    out.push(member);
  }
  return out;
}
