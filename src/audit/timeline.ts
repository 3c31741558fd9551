/**
 * "What happened to this user": a resource's audit rows (Store.auditTimeline) as a timeline of requests —
 * each inbound SCIM write, the native calls and decisions it caused, and how it ended — for the
 * `scim-bridge audit` command and GET /admin/audit. Rows of no request (a reconcile run, say) stand alone.
 */
import type { AuditRecord, Store } from '../store/types.js';

export interface TimelineQuery {
  app: string;
  /** userName or group displayName, any case. */
  user?: string;
  /** SCIM id. */
  resource?: string;
  /** `30m`, `12h`, `7d` back from now, or an ISO date/time. */
  since?: string;
  limit?: number;
}

export interface TimelineStep {
  at: string;
  action: string;
  status: number;
  outcome?: string;
  durationMs?: number;
  detail?: string;
}

export interface TimelineEntry {
  requestId?: string;
  /** The first row's time. */
  at: string;
  /** The SCIM operation (create, replace, patch, delete, adopt), absent when only native calls were recorded. */
  operation?: string;
  resourceType: string;
  resourceId?: string;
  /** The userName/displayName the request knew it by. */
  resourceName?: string;
  nativeId?: string;
  /** How the SCIM request ended. */
  result?: { status: number; outcome?: string; durationMs?: number; detail?: string };
  /** Native calls and connector decisions, in order. */
  steps: TimelineStep[];
}

export interface Timeline {
  app: string;
  query: { user?: string; resource?: string; since?: string };
  entries: TimelineEntry[];
  /** True when the row limit cut older history off. */
  truncated: boolean;
}

export class TimelineQueryError extends Error {
  override readonly name = 'TimelineQueryError';
}

const DEFAULT_LIMIT = 500;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `since` as an ISO instant: a duration back from `now`, or a date/time. */
function parseSince(text: string, now: number = Date.now()): string {
  const relative = /^(\d{1,6})([smhdw])$/.exec(text.trim());
  if (relative) return new Date(now - Number(relative[1]) * UNIT_MS[relative[2]!]!).toISOString();
  const absolute = /^\d{4}-\d\d-\d\d([T ][\d:.]+(Z|[+-]\d\d:?\d\d)?)?$/.test(text.trim()) ? Date.parse(text.trim()) : Number.NaN;
  if (Number.isNaN(absolute)) throw new TimelineQueryError(`since: "${text}" is neither a duration such as 30m, 12h, 7d nor a date such as 2026-12-01`);
  return new Date(absolute).toISOString();
}

/** A native call (`native users.create`) or a connector's decision (`adoption users.search`, `verify users.read`). */
const isSideRow = (row: AuditRecord) => /^(native|adoption|verify) /.test(row.action);

export async function readTimeline(store: Store, query: TimelineQuery, now: number = Date.now()): Promise<Timeline> {
  if (query.user === undefined && query.resource === undefined) throw new TimelineQueryError('give a user (userName or displayName) or a resource id');
  const since = query.since === undefined ? undefined : parseSince(query.since, now);
  const limit = query.limit ?? DEFAULT_LIMIT;
  const rows = await store.auditTimeline(query.app, {
    ...(query.user === undefined ? {} : { name: query.user }),
    ...(query.resource === undefined ? {} : { resourceId: query.resource }),
    ...(since === undefined ? {} : { since }),
    limit,
  });
  return {
    app: query.app,
    query: { ...(query.user === undefined ? {} : { user: query.user }), ...(query.resource === undefined ? {} : { resource: query.resource }), ...(since === undefined ? {} : { since }) },
    entries: groupByRequest(rows),
    truncated: rows.length >= limit,
  };
}

/** Rows (oldest first) into one entry per request, in the order each request started. */
function groupByRequest(rows: readonly AuditRecord[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const byRequest = new Map<string, TimelineEntry>();
  for (const row of rows) {
    let entry = row.requestId === undefined ? undefined : byRequest.get(row.requestId);
    if (!entry) {
      entry = { at: row.at, resourceType: row.resourceType, steps: [], ...(row.requestId === undefined ? {} : { requestId: row.requestId }) };
      entries.push(entry);
      if (row.requestId !== undefined) byRequest.set(row.requestId, entry);
    }
    entry.resourceId ??= row.resourceId;
    entry.resourceName ??= row.resourceName;
    entry.nativeId ??= row.nativeId;
    if (isSideRow(row)) {
      entry.steps.push({ at: row.at, action: row.action, status: row.status, ...pick(row) });
    } else {
      entry.operation = row.action;
      entry.resourceType = row.resourceType;
      if (row.resourceName !== undefined) entry.resourceName = row.resourceName;
      entry.result = { status: row.status, ...pick(row) };
    }
  }
  for (const entry of entries) for (const key of ['resourceId', 'resourceName', 'nativeId'] as const) if (entry[key] === undefined) delete entry[key];
  return entries;
}

function pick(row: AuditRecord): { outcome?: string; durationMs?: number; detail?: string } {
  return {
    ...(row.outcome === undefined ? {} : { outcome: row.outcome }),
    ...(row.durationMs === undefined ? {} : { durationMs: row.durationMs }),
    ...(row.detail === undefined ? {} : { detail: row.detail }),
  };
}

/** The timeline as lines for a terminal. */
export function formatTimeline(timeline: Timeline): string {
  const who = timeline.query.user ?? timeline.query.resource;
  if (timeline.entries.length === 0) return `app ${timeline.app}: nothing recorded for ${who}${timeline.query.since ? ` since ${timeline.query.since}` : ''}\n`;
  const lines = [`app ${timeline.app}: ${who}${timeline.query.since ? ` since ${timeline.query.since}` : ''}${timeline.truncated ? ' (older history cut off: raise --limit)' : ''}`];
  for (const e of timeline.entries) {
    const what = [e.operation ?? '(native calls only)', e.resourceType, e.resourceId, e.resourceName && `"${e.resourceName}"`, e.nativeId && `native ${e.nativeId}`].filter(Boolean).join(' ');
    const result = e.result ? ` → ${e.result.status} ${e.result.outcome ?? ''}${ms(e.result.durationMs)}`.trimEnd() : '';
    lines.push(`${e.at}  ${what}${result}${e.requestId ? `  [request ${e.requestId}]` : ''}`);
    for (const step of e.steps) lines.push(`    ${step.at.slice(11)}  ${step.action} → ${step.status} ${step.outcome ?? ''}${ms(step.durationMs)}${step.detail ? `  ${step.detail}` : ''}`);
    if (e.result?.detail) lines.push(`    ${e.result.detail}`);
  }
  return `${lines.join('\n')}\n`;
}

const ms = (value: number | undefined) => (value === undefined ? '' : ` (${value.toFixed(1)} ms)`);
