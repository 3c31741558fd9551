/**
 * What a reconcile reports: per native and gateway user, whether the two agree. Entries carry personal
 * data (userNames, field values) but never a secret: they are shown to the operator only (the CLI, and
 * the admin listener — never the SCIM one).
 */

export type ReconcileMode = 'dry-run' | 'adopt' | 'repair';

export const RECONCILE_MODES: readonly ReconcileMode[] = ['dry-run', 'adopt', 'repair'];

export interface ReconcileEntry {
  /** equal / differs: linked and both present; native-only: no gateway user links it; gateway-only: the native record is gone. */
  kind: 'equal' | 'differs' | 'native-only' | 'gateway-only';
  userName?: string;
  /** The gateway's SCIM id. */
  id?: string;
  nativeId?: string;
  /** differs: each native field whose value is not the one the gateway's resource maps to (native terms). */
  fields?: { path: string; native: unknown; gateway: unknown }[];
  /** native-only: whether --adopt would link it. */
  adoptable?: boolean;
  /** Why (not) adoptable, why gateway-only, or what an action did. */
  reason?: string;
  /** What --adopt or --repair did with this entry. */
  action?: 'adopted' | 'repaired' | 'failed';
}

export interface ReconcileCounts {
  equal: number;
  differs: number;
  nativeOnly: number;
  gatewayOnly: number;
}

export interface ReconcileStatus {
  app: string;
  mode: ReconcileMode;
  state: 'running' | 'done' | 'failed';
  /** ISO 8601. */
  startedAt: string;
  finishedAt?: string;
  /** Native users listed so far; `total` when the API says how many there are. */
  progress: { seen: number; total?: number };
  counts: ReconcileCounts;
  entries: ReconcileEntry[];
  error?: string;
}

/**
 * A run's state between pages, kept so an interrupted run resumes where it stopped: the status so far
 * and what the next step needs. Written after each page (and each action), so a run killed mid-page
 * does that page again and no entry is counted twice.
 */
export interface Checkpoint {
  version: 1;
  status: ReconcileStatus;
  /** native: listing native users; gateway: looking for gateway users the listing did not show; act: adopt/repair; done. */
  phase: 'native' | 'gateway' | 'act' | 'done';
  /** native: the next page (the connector's opaque position); undefined for the first. */
  cursor?: string;
  /** Native ids a gateway user links, seen in the listing. */
  linked: string[];
  /** Native-only users' adoption keys (the plugin's search `match` value), by native id. */
  matchValues: Record<string, string>;
  /** gateway: the last gateway id examined (keyset order). */
  gatewayAfter?: string;
  /** act: entries[0..acted) are done. */
  acted: number;
}

export const emptyCounts = (): ReconcileCounts => ({ equal: 0, differs: 0, nativeOnly: 0, gatewayOnly: 0 });

const COUNT_OF: Record<ReconcileEntry['kind'], keyof ReconcileCounts> = {
  equal: 'equal',
  differs: 'differs',
  'native-only': 'nativeOnly',
  'gateway-only': 'gatewayOnly',
};

export function countEntries(entries: readonly ReconcileEntry[]): ReconcileCounts {
  const counts = emptyCounts();
  for (const entry of entries) counts[COUNT_OF[entry.kind]] += 1;
  return counts;
}
