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

/** A stored member row as the plan needs it: where it is in the list, and its raw object as stored (JSON text). */
export interface StoredMember {
  position: number;
  raw: string;
}

/**
 * How to make a group's stored member list `members` (normalized) by writing only what differs, so adding
 * one member to a group of 50,000 writes one row, not 50,000: rows of members no longer listed go, new
 * members are inserted after the last position, changed raw objects are updated. Positions only order the
 * list, gaps are fine; when the members that stay are not in their stored order, or a new one comes before
 * one that stays (a PUT that reorders), the list is written again whole. Each store runs the plan in the
 * write's transaction.
 */
export type MemberWrite =
  | { whole: true }
  | { whole: false; gone: string[]; added: { value: string; position: number; raw: string }[]; changed: { value: string; raw: string }[] };

export function planMemberWrite(stored: ReadonlyMap<string, StoredMember>, members: readonly MemberRecord[]): MemberWrite {
  if (!keepsStoredOrder(stored, members)) return { whole: true };
  const listed = new Set(members.map((m) => m.value));
  const gone = [...stored.keys()].filter((id) => !listed.has(id));
  const added: { value: string; position: number; raw: string }[] = [];
  const changed: { value: string; raw: string }[] = [];
  let position = 0;
  for (const m of members) {
    const row = stored.get(m.value);
    const raw = JSON.stringify(m.raw);
    if (row === undefined) added.push({ value: m.value, position: position++, raw });
    else {
      position = row.position + 1;
      if (row.raw !== raw) changed.push({ value: m.value, raw });
    }
  }
  return { whole: false, gone, added, changed };
}

/** True when the listed members that are stored keep their stored order and every new one comes after them. */
function keepsStoredOrder(stored: ReadonlyMap<string, { position: number }>, members: readonly MemberRecord[]): boolean {
  let last = -1;
  let sawNew = false;
  for (const m of members) {
    const row = stored.get(m.value);
    if (row === undefined) sawNew = true;
    else if (sawNew || row.position <= last) return false;
    else last = row.position;
  }
  return true;
}
