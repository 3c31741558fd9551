/**
 * Claims on PostgreSQL (Store.reserve; which keys a claim holds: ../claim-keys.ts). A reserve is one
 * READ COMMITTED transaction, in this order:
 * 1. lapsed claims that hold any of the keys are removed whole (every row of their token): their holder
 *    can no longer commit any part of them;
 * 2. the claim's rows are inserted; a key another live claim holds means 'claimed'. A key whose holder's
 *    transaction is still open makes the insert wait for that transaction to end;
 * 3. only then are the stored resources checked ('conflict', 'not_found'). The order matters: a statement
 *    sees what was committed before it began, so a check after the insert sees the resource of a claim
 *    whose write committed while the insert waited on its row; a check before the insert could miss it.
 * Leases run on the database's clock (clock_timestamp()), so replicas on different hosts agree.
 */

import type { ResourceTypeName } from '../../scim/schemas/registry.js';
import { idKey, noteOf, SEARCHING, type ClaimKey } from '../claim-keys.js';
import { StoreError, type AbsentNote, type Claim, type ReserveRequest } from '../types.js';
import type { Queryable } from './database.js';
import { run, SQL } from './statements.js';

/**
 * Takes the keys for `token`; answers the resource's version for an update or delete claim, and for a
 * create what a live yielding claim it took over had found. Two creates taking over one parked claim at
 * once: the second's DELETE waits for the first's transaction and then finds its rows gone (no note).
 */
export async function reserveIn(
  tx: Queryable,
  app: string,
  type: ResourceTypeName,
  id: string,
  token: string,
  keys: readonly ClaimKey[],
  purpose: ReserveRequest['purpose'],
  leaseMs: number,
): Promise<{ version?: number; note?: AbsentNote }> {
  const names = keys.map((k) => k.key);
  const gone = await run(tx, SQL.takeOverClaims, [app, names]);
  const note = purpose === 'create' ? gone.map((row) => (row.live ? noteOf(row.note) : undefined)).find((n) => n !== undefined) : undefined;
  const yielding = purpose === 'lookup' ? SEARCHING : null;
  const taken = new Set((await run(tx, SQL.insertClaims, [app, names, token, leaseMs, yielding])).map((r) => r.key));
  const held = keys.find((k) => !taken.has(k.key));
  if (held) throw new StoreError('claimed', `${held.field} is claimed by a write in progress`, { field: held.field });

  const valueOf = (field: ClaimKey['field']) => keys.find((k) => k.field === field)?.value ?? null;
  const [checks] = await run(tx, SQL.keyChecks, [app, type, id, valueOf('userName'), valueOf('displayName')]);
  if (purpose === 'create' || purpose === 'lookup') {
    if (checks?.id_taken) throw new StoreError('conflict', 'id is already taken', { field: 'id' });
  } else if (checks?.version == null) {
    throw new StoreError('not_found', `${type} not found`);
  }
  if (checks?.user_name_taken) throw new StoreError('conflict', 'userName is already taken', { field: 'userName' });
  if (checks?.display_name_taken) throw new StoreError('conflict', 'displayName is already taken', { field: 'displayName' });
  const version = checks?.version ?? undefined;
  return { ...(version === undefined ? {} : { version }), ...(note ? { note } : {}) };
}

/**
 * A write under a claim, first thing in its transaction: the claim ends (every row of its token goes)
 * and must still have been held — not released, not taken over after its lease ran out. Should the write
 * fail after this, its rollback brings the claim back.
 */
export async function takeClaim(tx: Queryable, app: string, type: ResourceTypeName, id: string, claim: Claim): Promise<void> {
  if (claim.app !== app || claim.type !== type || claim.id !== id) throw new TypeError('the claim is for another resource');
  const keys = await run(tx, SQL.takeClaim, [app, claim.token]);
  if (!keys.some((k) => k.key === idKey(id))) throw new StoreError('claim_lost', 'the claim was released or taken over');
}
