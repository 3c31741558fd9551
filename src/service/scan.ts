/**
 * The slow path of a list (RFC 7644 §3.4.2): a filter the store cannot answer whole, or a sortBy on an
 * attribute it does not index. The store narrows by what it can; the candidates it leaves are read here in
 * chunks ordered by id, each chunk one short read with the event loop free between them, then filtered,
 * ordered and handed back for paging. More candidates than `maxCandidates` is refused with 400 tooMany
 * before any is read: one client must not make the gateway walk every user on every request.
 *
 * Entra's own queries never come here with more than one candidate: it filters on userName, externalId,
 * id and displayName (indexed), and adds `manager eq` or `members eq` only beside `id eq`.
 */
import { tooMany } from '../scim/errors.js';
import type { ResourceTypeName } from '../scim/schemas/registry.js';
import type { JsonObject, ResourceRecord, Store, StoreCondition } from '../store/types.js';

export interface ScanLimits {
  /** Most candidates one request may make the gateway examine in memory (server.maxScanCandidates). */
  maxCandidates: number;
}

/** Records read, rendered and filtered per turn of the event loop. */
export const SCAN_CHUNK = 250;

export interface ScanRequest {
  app: string;
  type: ResourceTypeName;
  /** What the store narrows by; undefined: every resource of the type. */
  condition?: StoreCondition;
  withMembers: boolean;
  /** Users: read each chunk with its users' groups (in the same statement), as `render` shows them. */
  withGroups: boolean;
  /** Renders a chunk of records as clients read them (with their groups). */
  render(records: ResourceRecord[]): Promise<JsonObject[]>;
  /** The rest of the filter, on a rendered resource; undefined keeps every candidate. */
  keep?: (resource: JsonObject) => boolean;
}

/** The candidates that pass `keep`, rendered, in creation order (the order a list without sortBy has). */
export async function scanCandidates(store: Store, request: ScanRequest, limits: ScanLimits): Promise<JsonObject[]> {
  const { app, type, condition } = request;
  const { total } = await store.query(app, type, { ...(condition ? { condition } : {}), limit: 0 });
  if (total > limits.maxCandidates) {
    throw tooMany(
      `The filter or sortBy leaves ${total} ${type} resources to examine one by one; at most ${limits.maxCandidates} are. ` +
        'Narrow it with an indexed attribute (id, userName, externalId, displayName, meta.created, meta.lastModified)',
    );
  }
  const kept: { record: ResourceRecord; resource: JsonObject }[] = [];
  let after: string | undefined;
  for (;;) {
    const afterLast: StoreCondition | undefined = after === undefined ? undefined : { op: 'gt', field: 'id', value: after };
    const chunk = await store.query(app, type, {
      ...bothOf(condition, afterLast),
      sort: { field: 'id', descending: false },
      limit: SCAN_CHUNK,
      withMembers: request.withMembers,
      withGroups: request.withGroups,
      countAll: false,
    });
    const rendered = await request.render(chunk.records);
    chunk.records.forEach((record, i) => {
      const resource = rendered[i]!;
      if (!request.keep || request.keep(resource)) kept.push({ record, resource });
    });
    if (chunk.records.length < SCAN_CHUNK) break;
    after = chunk.records.at(-1)!.id;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  kept.sort((a, b) => compareText(a.record.created, b.record.created) || compareText(a.record.id, b.record.id));
  return kept.map((k) => k.resource);
}

function bothOf(left: StoreCondition | undefined, right: StoreCondition | undefined): { condition?: StoreCondition } {
  if (left && right) return { condition: { op: 'and', left, right } };
  const one = left ?? right;
  return one ? { condition: one } : {};
}

/** Code-unit order, the store's (ISO timestamps of fixed width order as instants). */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
