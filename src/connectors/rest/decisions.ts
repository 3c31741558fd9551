/**
 * What the connector decided, and why, for the log and the audit trail: each adoption search (how many
 * records came back, which matched on which field, why none did) and each read-back verdict.
 */
import type { ResourceTypeName } from '../../scim/schemas/registry.js';
import type { CompiledSearch } from '../../plugins/types.js';
import type { SearchOutcome } from './search.js';

export interface ConnectorDecision {
  kind: 'adoption' | 'verify';
  type: ResourceTypeName;
  /** The native operation behind it, e.g. `users.search`, `users.update`. */
  operation: string;
  /**
   * adoption: `adopt` (one record matched), `none`, `ambiguous`; verify: `applied`, `differs`,
   * `explained` (explain: read back, not compared).
   */
  outcome: 'adopt' | 'none' | 'ambiguous' | 'applied' | 'differs' | 'explained';
  /** Why, in words that carry no field values. */
  detail: string;
  nativeId?: string;
}

const PURPOSE = {
  create: 'before a create',
  lookup: 'for a filter the gateway could not answer',
  retry: 'after a create whose answer was lost',
  'new id': "for the new record's id",
} as const;

/** The decision a search outcome makes, worded for people reading logs. */
export function describeSearch(type: ResourceTypeName, search: CompiledSearch, why: keyof typeof PURPOSE, outcome: SearchOutcome): ConnectorDecision {
  const base = { kind: 'adoption' as const, type, operation: search.name };
  const seen = `${outcome.seen} record(s) returned ${PURPOSE[why]}`;
  const field = `"${search.match}"`;
  if (outcome.hits.length > 1) return { ...base, outcome: 'ambiguous', detail: `${seen}; several matched on ${field}: none adopted` };
  const hit = outcome.hits[0];
  if (hit) return { ...base, outcome: 'adopt', nativeId: hit.nativeId, detail: `${seen}; native id ${hit.nativeId} matched on ${field}` };
  const none =
    outcome.seen === 0
      ? 'none matched: the search answered no record'
      : outcome.lacking === outcome.seen
        ? `none matched: no record had a value in ${field} (does operations.search.fields say where it is?)`
        : `none matched: ${outcome.seen - outcome.lacking} had another value in ${field}${outcome.lacking ? `, ${outcome.lacking} none` : ''}`;
  return { ...base, outcome: 'none', detail: `${seen}; ${none}` };
}
