/**
 * The gateway's durable state, free of any database's specifics. SQLite (embedded default) and
 * PostgreSQL (several replicas) implement it; test/store/contract.ts runs unchanged against each.
 *
 * The store is SCIM-aware only as far as the indexed fields go: it derives them from the resource data
 * it is given and answers conditions on them. Filtering on anything else is done by the caller.
 */

import type { ResourceTypeName } from '../scim/schemas/registry.js';

export type JsonObject = { [key: string]: unknown };

/** A group member exactly as the client wrote it; `value` is the member's SCIM id. */
export interface MemberRecord {
  value: string;
  /** The member object as sent ({value, display?, type?, $ref?}), returned exactly so. */
  raw: JsonObject;
}

export interface ResourceRecord {
  id: string;
  type: ResourceTypeName;
  /**
   * The resource as the client wrote it, after normalization, without `id`, `meta`, the group's
   * `members` (kept in `members`) and the user's `groups` (computed).
   */
  data: JsonObject;
  /** Groups only, and only when asked for (`withMembers`). */
  members?: MemberRecord[];
  /** The id of the record in the downstream system (REST connectors); absent for the store connector. */
  nativeId?: string;
  /** Starts at 1, +1 on every change. The ETag is derived from it. */
  version: number;
  /** ISO 8601 with milliseconds, UTC. */
  created: string;
  lastModified: string;
}

/** The fields a store indexes. Case-insensitive ones (userName, displayName) are stored folded. */
export type IndexedField = 'id' | 'userName' | 'externalId' | 'displayName' | 'created' | 'lastModified';

/** Fields whose stored form is folded with `foldCase`: conditions on them must carry folded values. */
export const FOLDED_FIELDS: ReadonlySet<IndexedField> = new Set(['userName', 'displayName']);

/** The one case folding used for case-insensitive uniqueness and comparison. */
export const foldCase = (s: string): string => s.toLowerCase();

/**
 * A condition on indexed fields, compiled by each store to its own query language with bound
 * parameters. String comparisons are by code unit; created/lastModified hold ISO strings that compare
 * in time order (callers normalize dateTime values with `new Date(v).toISOString()`).
 */
export type StoreCondition =
  | { op: 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le'; field: IndexedField; value: string }
  | { op: 'pr'; field: IndexedField }
  | { op: 'and' | 'or'; left: StoreCondition; right: StoreCondition }
  | { op: 'not'; condition: StoreCondition };

export interface StoreQuery {
  condition?: StoreCondition;
  sort?: { field: IndexedField; descending: boolean };
  /** 0-based offset and page size; omit both to get every match. */
  offset?: number;
  limit?: number;
  withMembers?: boolean;
  /**
   * false: the caller pages on its own (by id, say) and needs no count of every match; `total` is then
   * the number of records returned, and the store spends nothing on counting. Default true.
   */
  countAll?: boolean;
}

export interface StoreQueryResult {
  /** Matches of `condition`, before offset/limit. */
  total: number;
  records: ResourceRecord[];
}

export interface WriteInput {
  data: JsonObject;
  /** Groups: the full member list to store (replaces the old list on `replace`). */
  members?: MemberRecord[];
  /** The downstream id (unique per app and type). On `replace`, undefined keeps the stored one. */
  nativeId?: string;
}

export interface WriteOptions {
  /** Reject the write unless the stored version equals this (optimistic concurrency / If-Match). */
  ifVersion?: number;
  /** Groups: displayName unique per app (case-insensitive). Users' userName is always unique. */
  uniqueGroupDisplayName?: boolean;
  /**
   * Appended to the audit trail in the same transaction as the write, so an acknowledged write always
   * has its audit record (resourceId is filled in by `create`).
   */
  audit?: AuditEntry;
  /**
   * The claim this write commits (see `reserve`). The write fails with 'claim_lost' unless the claim is
   * still held under its token, and the claim is removed in the same transaction as the write. A create
   * under a claim takes the claim's id.
   */
  claim?: Claim;
}

/**
 * A write's hold, across every process on the database, on the keys it is about to take (a create: the
 * new id, the folded userName or unique group displayName) or on one resource (an update or delete, plus
 * any unique key the new data takes). While it is held no other claim can take those keys; it ends with
 * the write that commits it, with `release`, or when its lease runs out (a crashed holder's claim is then
 * taken over by the next `reserve`). Claims are invisible to reads.
 */
export interface Claim {
  readonly app: string;
  readonly type: ResourceTypeName;
  /** The resource's id (for a create, chosen by reserve unless the request gave one). */
  readonly id: string;
  /** Unique per reserve: only the holder can commit or release. */
  readonly token: string;
  /** update/delete: the resource's version when the claim was taken. */
  readonly version?: number;
}

export interface ReserveRequest {
  /** create: the id must be free; update/delete: the resource must exist. */
  purpose: 'create' | 'update' | 'delete';
  /** create: the new resource's id (generated when absent); update/delete: the resource's id. */
  id?: string;
  /** create/update: the data the write will store; its unique keys are claimed too. */
  data?: JsonObject;
  /** Groups: displayName is a unique key (as WriteOptions.uniqueGroupDisplayName). */
  uniqueGroupDisplayName?: boolean;
  /** How long the claim lives unless committed or released. */
  leaseMs: number;
}

export interface AuditEntry {
  app: string;
  /** e.g. 'create', 'replace', 'patch', 'delete'. */
  action: string;
  resourceType: ResourceTypeName;
  resourceId?: string;
  /** HTTP status the operation ended with. */
  status: number;
  /** Short, secret-free note (scimType, error detail). */
  detail?: string;
  requestId?: string;
  durationMs?: number;
  /** userName (users) or displayName (groups) at the time, as written: a deleted user's history stays findable. */
  resourceName?: string;
  /** The resource's id in the downstream system, when it has one. */
  nativeId?: string;
  /** How it ended, in a word: 'ok' | 'error' | 'retry' (native calls), a decision's outcome, or 'ok' | 'refused' | 'failed' (writes). */
  outcome?: string;
}

export interface AuditRecord extends AuditEntry {
  seq: number;
  at: string;
}

/** Which audit rows make one resource's timeline (Store.auditTimeline). */
export interface AuditTimelineQuery {
  /** A userName or group displayName (compared case-insensitively), as any row recorded it. */
  name?: string;
  /** A SCIM id. */
  resourceId?: string;
  /** ISO time: rows before it are left out. */
  since?: string;
  /** The newest this many rows at most. */
  limit: number;
}

/** Errors a store throws; the resource service turns them into SCIM errors. */
export class StoreError extends Error {
  constructor(
    /**
     * conflict: a stored resource holds the key; claimed: another live claim holds it; claim_lost: the
     * write's claim was released or taken over after its lease ran out; unavailable: the database cannot
     * be reached or cannot take the write now (connection lost, busy, disk full) — nothing was written,
     * and the same call may succeed later.
     */
    readonly code: 'conflict' | 'claimed' | 'claim_lost' | 'unavailable' | 'not_found' | 'version_mismatch' | 'missing_members',
    message: string,
    /** conflict/claimed: the field that collided; missing_members: the ids that do not exist. */
    readonly details: { field?: 'userName' | 'displayName' | 'id' | 'nativeId'; ids?: string[] } = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'StoreError';
  }
}

export interface Store {
  /** Creates or upgrades the schema (versioned migrations). Idempotent. */
  migrate(): Promise<void>;

  /** Resolves when the database answers and is migrated; throws StoreError 'unavailable' otherwise. */
  ping(): Promise<void>;

  /**
   * Stores a new resource. `id` is generated (UUID) unless given. Throws StoreError 'conflict' when
   * userName (users) or displayName (groups with uniqueGroupDisplayName) collides case-insensitively in
   * the app, 'missing_members' when a member id is not a user or group of the app.
   */
  create(app: string, type: ResourceTypeName, input: WriteInput & { id?: string }, options?: WriteOptions): Promise<ResourceRecord>;

  /** The resource, or null. Groups carry `members` only when `withMembers`. */
  get(app: string, type: ResourceTypeName, id: string, options?: { withMembers?: boolean }): Promise<ResourceRecord | null>;

  /**
   * Replaces data (and for groups the member list when `input.members` is given) in one transaction,
   * version + 1. Throws 'not_found', 'version_mismatch', 'conflict', 'missing_members'.
   */
  replace(app: string, type: ResourceTypeName, id: string, input: WriteInput, options?: WriteOptions): Promise<ResourceRecord>;

  /**
   * Deletes a resource and its memberships (as member and as group); the groups it was a member of get
   * version + 1. False when it did not exist. Throws 'version_mismatch' with ifVersion.
   */
  delete(app: string, type: ResourceTypeName, id: string, options?: Pick<WriteOptions, 'ifVersion' | 'audit' | 'claim'>): Promise<boolean>;

  /**
   * Claims keys for a write that must not run twice at once anywhere (see Claim). Throws StoreError
   * 'conflict' when a stored resource already holds a unique key (or, for create, the id), 'claimed'
   * when another live claim holds one, 'not_found' (update/delete) when the resource does not exist.
   */
  reserve(app: string, type: ResourceTypeName, request: ReserveRequest): Promise<Claim>;

  /** Gives a claim up without writing. Idempotent; a claim already gone is fine. */
  release(claim: Claim): Promise<void>;

  /** For each SCIM id of the type that exists and has a downstream id, that id: one round trip. */
  nativeIdsOf(app: string, type: ResourceTypeName, ids: readonly string[]): Promise<Map<string, string>>;

  /** The resource whose downstream id is `nativeId`, or null. */
  findByNativeId(app: string, type: ResourceTypeName, nativeId: string): Promise<ResourceRecord | null>;

  /** Resources of one type matching `condition`, ordered by `sort` (default: created, then id). */
  query(app: string, type: ResourceTypeName, query: StoreQuery): Promise<StoreQueryResult>;

  /** For each user id, the groups it is a direct member of: one round trip for any number of ids. */
  groupsOf(app: string, memberIds: readonly string[]): Promise<Map<string, { value: string; display: string }[]>>;

  appendAudit(entry: AuditEntry): Promise<void>;
  /** The newest audit records of an app, newest first. */
  readAudit(app: string, limit: number): Promise<AuditRecord[]>;
  /**
   * One resource's history, oldest first: every row that names it (by its name at the time or its id),
   * and the rows of the same requests that name no other resource (their native calls). A deleted
   * resource's rows stay.
   */
  auditTimeline(app: string, query: AuditTimelineQuery): Promise<AuditRecord[]>;

  close(): Promise<void>;
}
