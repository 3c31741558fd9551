/** Group member lists in the PostgreSQL store (normalized by ../member-list.ts before they get here). */

import { planMemberWrite } from '../member-list.js';
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
  await assertMembersExist(tx, app, ids);
  const raws = members.map((m) => JSON.stringify(m.raw));
  await run(tx, SQL.insertMembers, [app, groupId, ids, raws]);
  return toMembers(ids.map((id, i) => [id, raws[i]!]));
}

/**
 * Makes a group's stored member list `members` (normalized) by writing only what differs
 * (planMemberWrite), inside the caller's transaction, like insertMembers.
 */
export async function replaceMembers(tx: Queryable, app: string, groupId: string, members: readonly MemberRecord[]): Promise<MemberRecord[]> {
  const rows = await run(tx, SQL.memberRowsOf, [app, groupId]);
  const plan = planMemberWrite(new Map(rows.map((row) => [row.member_id, row])), members);
  if (plan.whole) {
    await run(tx, SQL.deleteMembersOf, [app, groupId]);
    return insertMembers(tx, app, groupId, members);
  }
  if (plan.added.length > 0) await assertMembersExist(tx, app, plan.added.map((m) => m.value));
  if (plan.gone.length > 0) await run(tx, SQL.deleteMembersIn, [app, groupId, plan.gone]);
  if (plan.added.length > 0) {
    await run(tx, SQL.insertMembersAt, [app, groupId, plan.added.map((m) => m.value), plan.added.map((m) => m.position), plan.added.map((m) => m.raw)]);
  }
  if (plan.changed.length > 0) await run(tx, SQL.updateMembersRaw, [app, groupId, plan.changed.map((m) => m.value), plan.changed.map((m) => m.raw)]);
  return members.map((m) => ({ value: m.value, raw: m.raw }));
}

/**
 * 'missing_members', naming every id that is not a resource of the app. KEY SHARE locks the ones found, so
 * none can be deleted before this transaction ends.
 */
async function assertMembersExist(tx: Queryable, app: string, ids: readonly string[]): Promise<void> {
  const existing = new Set((await run(tx, SQL.lockExistingIds, [app, ids])).map((r) => r.id));
  const missing = ids.filter((id) => !existing.has(id));
  if (missing.length > 0) {
    throw new StoreError('missing_members', `${missing.length} member(s) do not exist`, { ids: missing });
  }
}

/** The members column of a read (see MEMBERS_COLUMN) -> member records. */
export function toMembers(pairs: MemberPairs): MemberRecord[] {
  return pairs.map(([value, raw]) => ({ value, raw: parseObject(raw, 'member') }));
}
