/** Group member lists in the PostgreSQL store (normalized by ../member-list.ts before they get here). */

import { parseObject } from '../records.js';
import { StoreError, type MemberRecord } from '../types.js';
import type { Queryable } from './database.js';
import { run, SQL, type MemberPairs } from './statements.js';

/**
 * Stores the member list of a group that has none at this point, inside the caller's transaction:
 * 'missing_members' (naming every id that is not a resource of the app) leaves nothing written. Answers
 * the list as a read will return it.
 */
export async function insertMembers(tx: Queryable, app: string, groupId: string, members: readonly MemberRecord[]): Promise<MemberRecord[]> {
  if (members.length === 0) return [];
  const ids = members.map((m) => m.value);
  const existing = new Set((await run(tx, SQL.lockExistingIds, [app, ids])).map((r) => r.id));
  const missing = ids.filter((id) => !existing.has(id));
  if (missing.length > 0) {
    throw new StoreError('missing_members', `${missing.length} member(s) do not exist`, { ids: missing });
  }
  const raws = members.map((m) => JSON.stringify(m.raw));
  await run(tx, SQL.insertMembers, [app, groupId, ids, raws]);
  return toMembers(ids.map((id, i) => [id, raws[i]!]));
}

/** The members column of a read (see MEMBERS_COLUMN) -> member records. */
export function toMembers(pairs: MemberPairs): MemberRecord[] {
  return pairs.map(([value, raw]) => ({ value, raw: parseObject(raw, 'member') }));
}
