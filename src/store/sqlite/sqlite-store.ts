/**
 * The embedded Store: SQLite through better-sqlite3. Calls are synchronous underneath and surface as
 * promises, so callers cannot tell this store from a networked one. Every write runs in one IMMEDIATE
 * transaction: the write lock is taken before the uniqueness checks read, so check-then-write holds
 * even with several processes on one file.
 *
 * Group displayName uniqueness (WriteOptions.uniqueGroupDisplayName) applies to the write that carries
 * it: such a write conflicts with every other group of the app that has the same folded displayName,
 * including groups written before the option was turned on (a name that is taken is taken). The group
 * then holds `unique_key`, whose unique index also stops concurrent flagged writers. A write without the
 * option checks nothing and clears the group's `unique_key`.
 */

import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { ResourceTypeName } from '../../scim/schemas/registry.js';
import { claimKeys, idKey } from '../claim-keys.js';
import {
  StoreError,
  foldCase,
  type AuditEntry,
  type Claim,
  type ReserveRequest,
  type AuditRecord,
  type AuditTimelineQuery,
  type ResourceRecord,
  type Store,
  type StoreQuery,
  type StoreQueryResult,
  type WriteInput,
  type WriteOptions,
} from '../types.js';
import { isUniqueLookup } from '../condition-sql.js';
import { compileCondition, compileOrder } from './condition-sql.js';
import { indexedColumns, type IndexedColumns } from '../indexed-fields.js';
import { normalizeMembers } from '../member-list.js';
import { insertMembers, loadMembers, replaceMembers } from './memberships.js';
import { runMigrations, schemaVersion, SCHEMA_VERSION } from './migrations.js';
import { QueryCache } from './query-cache.js';
import {
  assertCount,
  assertResourceType,
  serializeData,
  toAuditRecord,
  toAuditRow,
  toResourceRecord,
  type ResourceRow,
} from '../records.js';
import { prepareStatements, RESOURCE_COLUMNS, type Statements } from './statements.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';

/** How often the background worker checkpoints the WAL into the database file. */
const CHECKPOINT_INTERVAL_MS = 250;
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;
/** Writes committed together at most (bounds one commit's size and the wait of the first in line). */
const MAX_BATCH = 64;

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a throwaway database. */
  path: string;
  /** Checkpoint the WAL from a worker thread (default true for files); false leaves it to SQLite. */
  backgroundCheckpoints?: boolean;
  /**
   * How long a write waits for another process's write lock before it fails as 'unavailable'. The wait
   * is asynchronous (retries on timers), so reads keep flowing meanwhile.
   */
  busyTimeoutMs?: number;
}

export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #queries: QueryCache;
  readonly #transaction: Database.Transaction<(fn: () => unknown) => unknown>;
  readonly #checkpointer: Checkpointer | undefined;
  readonly #pending: PendingWrite[] = [];
  readonly #busyTimeoutMs: number;
  #retryTimer: NodeJS.Timeout | undefined;
  #statements: Statements | undefined;

  constructor(options: SqliteStoreOptions) {
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    assertCount(busyTimeoutMs, 'busyTimeoutMs');
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#db = new Database(options.path);
    try {
      // WAL: readers never block the writer; NORMAL: a commit survives a crash of the process (not
      // necessarily of the machine) without an fsync per transaction.
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = NORMAL');
      this.#db.pragma('foreign_keys = ON');
      // No waiting inside SQLite: better-sqlite3 is synchronous, so a busy wait there would stop the whole
      // event loop (reads and /healthz included) for as long as another process holds the write lock.
      // A busy commit is retried on a timer instead, up to busyTimeoutMs (#flush).
      this.#db.pragma('busy_timeout = 0');
      if (options.path !== ':memory:' && options.backgroundCheckpoints !== false) {
        this.#db.pragma('wal_autocheckpoint = 0');
        this.#checkpointer = startCheckpointer(options.path, CHECKPOINT_INTERVAL_MS, () => {
          if (this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
        });
      }
    } catch (err) {
      this.#db.close();
      throw err;
    }
    this.#queries = new QueryCache(this.#db);
    this.#transaction = this.#db.transaction((fn: () => unknown) => fn());
  }

  async migrate(): Promise<void> {
    this.#assertOpen();
    runMigrations(this.#db);
    this.#ready();
  }

  async create(
    app: string,
    type: ResourceTypeName,
    input: WriteInput & { id?: string },
    options: WriteOptions = {},
  ): Promise<ResourceRecord> {
    const s = this.#ready();
    assertResourceType(type);
    const data = serializeData(input.data);
    const members = this.#membersFor(type, input.members);
    return this.#write(() => {
      const id = options.claim?.id ?? input.id ?? randomUUID();
      if (options.claim) takeClaim(s, app, type, id, options.claim);
      if (s.typeOfId.get(app, id)) throw new StoreError('conflict', 'id is already taken', { field: 'id' });
      const columns = indexedColumns(type, input.data);
      checkUniqueness(s, app, type, id, columns, options);
      const now = new Date().toISOString();
      const native_id = input.nativeId ?? null;
      guardUnique(() =>
        s.insertResource.run({ app, type, id, ...columnParams(type, columns, options), created: now, last_modified: now, data, native_id }),
      );
      const record = toResourceRecord({ id, type, version: 1, created: now, last_modified: now, data, native_id });
      if (options.audit) appendAuditRow(s, { ...options.audit, resourceId: id });
      if (members !== undefined) {
        record.members = insertMembers(s, app, id, members);
      } else if (type === 'Group') {
        record.members = [];
      }
      return record;
    });
  }

  async get(
    app: string,
    type: ResourceTypeName,
    id: string,
    options: { withMembers?: boolean } = {},
  ): Promise<ResourceRecord | null> {
    const s = this.#ready();
    const load = () => {
      const row = s.getResource.get(app, type, id);
      if (!row) return null;
      const record = toResourceRecord(row);
      if (options.withMembers && type === 'Group') record.members = loadMembers(s, app, [id]).get(id) ?? [];
      return record;
    };
    // One statement is its own snapshot; a group with its members takes two, read in one transaction.
    return options.withMembers && type === 'Group' ? this.#read(load) : load();
  }

  async replace(
    app: string,
    type: ResourceTypeName,
    id: string,
    input: WriteInput,
    options: WriteOptions = {},
  ): Promise<ResourceRecord> {
    const s = this.#ready();
    assertResourceType(type);
    const data = serializeData(input.data);
    const members = this.#membersFor(type, input.members);
    return this.#write(() => {
      if (options.claim) takeClaim(s, app, type, id, options.claim);
      const row = s.getResource.get(app, type, id);
      if (!row) throw new StoreError('not_found', `${type} not found`);
      checkVersion(row, options.ifVersion);
      const columns = indexedColumns(type, input.data);
      checkUniqueness(s, app, type, id, columns, options);
      const now = new Date().toISOString();
      const native_id = input.nativeId ?? null;
      guardUnique(() =>
        s.updateResource.run({ app, type, id, ...columnParams(type, columns, options), last_modified: now, data, native_id }),
      );
      const record = toResourceRecord({ ...row, version: row.version + 1, last_modified: now, data, native_id: native_id ?? row.native_id });
      if (options.audit) appendAuditRow(s, options.audit);
      if (members !== undefined) record.members = replaceMembers(s, app, id, members);
      return record;
    });
  }

  async delete(app: string, type: ResourceTypeName, id: string, options: Pick<WriteOptions, 'ifVersion' | 'audit' | 'claim'> = {}): Promise<boolean> {
    const s = this.#ready();
    return this.#write(() => {
      if (options.claim) takeClaim(s, app, type, id, options.claim);
      const row = s.getResource.get(app, type, id);
      if (!row) return false;
      checkVersion(row, options.ifVersion);
      // Before the cascade removes the memberships that say which groups to touch.
      s.touchGroupsOfMember.run({ app, member_id: id, now: new Date().toISOString() });
      s.deleteResource.run(app, type, id);
      if (options.audit) appendAuditRow(s, options.audit);
      return true;
    });
  }

  async query(app: string, type: ResourceTypeName, query: StoreQuery): Promise<StoreQueryResult> {
    const s = this.#ready();
    if (query.offset !== undefined) assertCount(query.offset, 'offset');
    if (query.limit !== undefined) assertCount(query.limit, 'limit');
    const where = query.condition === undefined ? undefined : compileCondition(query.condition);
    const whereSql = `app = ? AND type = ?${where ? ` AND ${where.sql}` : ''}`;
    const params = [app, type, ...(where?.params ?? [])];
    if (isUniqueLookup(type, query.condition)) {
      // `userName eq` / `id eq` (Entra's every lookup): one row at most, so no ORDER BY, LIMIT or COUNT.
      const one = this.#queries.get<ResourceRow>(`SELECT ${RESOURCE_COLUMNS} FROM resources WHERE ${whereSql}`);
      const row = one.get(...params);
      const records = row && (query.offset ?? 0) === 0 && query.limit !== 0 ? [toResourceRecord(row)] : [];
      if (query.withMembers && type === 'Group' && records.length > 0) {
        records[0]!.members = loadMembers(s, app, [records[0]!.id]).get(records[0]!.id) ?? [];
      }
      return { total: row ? 1 : 0, records };
    }
    const count = this.#queries.get<{ n: number }>(`SELECT count(*) AS n FROM resources WHERE ${whereSql}`);
    const page = this.#queries.get<ResourceRow>(
      `SELECT ${RESOURCE_COLUMNS} FROM resources WHERE ${whereSql} ORDER BY ${compileOrder(query.sort)} LIMIT ? OFFSET ?`,
    );
    const offset = query.offset ?? 0;
    const fetchPage = () => (query.limit === 0 ? [] : page.all(...params, query.limit ?? -1, offset));
    // A first page that is not full holds every match: no COUNT needed (the common `userName eq` case);
    // nor when the caller counts nothing (countAll: false).
    const complete = (rows: ResourceRow[]) =>
      query.countAll === false || (offset === 0 && (query.limit === undefined || rows.length < query.limit));
    if (type === 'User') {
      // One statement needs no transaction; only when a COUNT must join it do both run in one snapshot.
      const rows = fetchPage();
      if (complete(rows)) return { total: rows.length, records: rows.map(toResourceRecord) };
    }
    const load = () => {
      const rows = fetchPage();
      const total = complete(rows) ? rows.length : (count.get(...params)?.n ?? 0);
      const records = rows.map(toResourceRecord);
      if (query.withMembers && type === 'Group') {
        const members = loadMembers(s, app, records.map((r) => r.id));
        for (const record of records) record.members = members.get(record.id) ?? [];
      }
      return { total, records };
    };
    return this.#read(load);
  }

  async reserve(app: string, type: ResourceTypeName, request: ReserveRequest): Promise<Claim> {
    const s = this.#ready();
    assertResourceType(type);
    assertCount(request.leaseMs, 'leaseMs');
    if (request.purpose !== 'create' && request.id === undefined) throw new TypeError(`a ${request.purpose} claim names its resource`);
    const id = request.id ?? randomUUID();
    const keys = claimKeys(type, id, request);
    return this.#write(() => {
      const now = Date.now();
      for (const { key, field } of keys) {
        const held = s.claimOf.get(app, key);
        if (!held) continue;
        // A lapsed claim is taken over whole: its holder can no longer commit any part of it.
        if (held.expires_at <= now) s.deleteClaim.run(app, held.token);
        else throw new StoreError('claimed', `${field} is claimed by a write in progress`, { field });
      }
      let version: number | undefined;
      if (request.purpose === 'create') {
        if (s.typeOfId.get(app, id)) throw new StoreError('conflict', 'id is already taken', { field: 'id' });
      } else {
        version = s.versionOf.get(app, type, id)?.version;
        if (version === undefined) throw new StoreError('not_found', `${type} not found`);
      }
      for (const { field, value } of keys) {
        const taken =
          field === 'userName' ? s.userNameTaken.get(app, value!, id) : field === 'displayName' ? s.groupDisplayNameTaken.get(app, value!, id) : undefined;
        if (taken) throw new StoreError('conflict', `${field} is already taken`, { field });
      }
      const token = randomUUID();
      for (const { key } of keys) s.insertClaim.run(app, key, token, now + request.leaseMs);
      return version === undefined ? { app, type, id, token } : { app, type, id, token, version };
    });
  }

  async release(claim: Claim): Promise<void> {
    const s = this.#ready();
    await this.#write(() => s.deleteClaim.run(claim.app, claim.token));
  }

  async nativeIdsOf(app: string, type: ResourceTypeName, ids: readonly string[]): Promise<Map<string, string>> {
    const s = this.#ready();
    const found = new Map<string, string>();
    if (ids.length === 0) return found;
    for (const row of s.nativeIdsOf.all({ app, type, ids: JSON.stringify(ids) })) found.set(row.id, row.native_id);
    return found;
  }

  async ping(): Promise<void> {
    try {
      this.#ready();
      // Prepared once (health probes call this every few seconds).
      this.#queries.get<{ one: number }>('SELECT 1 AS one').get();
    } catch (error) {
      throw new StoreError('unavailable', 'the SQLite store cannot be read', {}, error);
    }
  }

  async findByNativeId(app: string, type: ResourceTypeName, nativeId: string): Promise<ResourceRecord | null> {
    const s = this.#ready();
    const row = s.byNativeId.get(app, type, nativeId);
    return row ? toResourceRecord(row) : null;
  }

  async groupsOf(app: string, memberIds: readonly string[]): Promise<Map<string, { value: string; display: string }[]>> {
    const s = this.#ready();
    const result = new Map<string, { value: string; display: string }[]>(memberIds.map((id) => [id, []]));
    if (result.size === 0) return result;
    for (const row of s.groupsOf.all({ app, ids: JSON.stringify([...result.keys()]) })) {
      result.get(row.member_id)?.push({ value: row.group_id, display: row.display ?? '' });
    }
    return result;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const s = this.#ready();
    // Through the group commit: an audit row (one per native call) rides on a commit already happening.
    await this.#write(() => appendAuditRow(s, entry));
  }

  async auditTimeline(app: string, query: AuditTimelineQuery): Promise<AuditRecord[]> {
    const s = this.#ready();
    assertCount(query.limit, 'limit');
    const rows = s.auditTimeline.all({ app, key: query.name === undefined ? null : foldCase(query.name), id: query.resourceId ?? null, since: query.since ?? '', limit: query.limit });
    return rows.reverse().map(toAuditRecord);
  }

  async readAudit(app: string, limit: number): Promise<AuditRecord[]> {
    const s = this.#ready();
    assertCount(limit, 'limit');
    return s.readAudit.all(app, limit).map(toAuditRecord);
  }

  async close(): Promise<void> {
    if (this.#retryTimer !== undefined) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
    for (const op of this.#pending.splice(0)) op.reject(new StoreError('unavailable', 'the SQLite store is closed'));
    this.#checkpointer?.stop();
    if (this.#checkpointer && this.#db.open) this.#db.pragma('wal_checkpoint(TRUNCATE)');
    this.#queries.clear();
    this.#statements = undefined;
    if (this.#db.open) this.#db.close();
  }

  #assertOpen(): void {
    if (!this.#db.open) throw new Error('the SQLite store is closed');
  }

  /** The prepared statements; they need the current schema, so a store that was not migrated says so. */
  #ready(): Statements {
    this.#assertOpen();
    if (this.#statements) return this.#statements;
    const version = schemaVersion(this.#db);
    if (version !== SCHEMA_VERSION) {
      throw new Error(`the SQLite store has schema version ${version}, this build needs ${SCHEMA_VERSION}: call migrate()`);
    }
    this.#statements = prepareStatements(this.#db);
    return this.#statements;
  }

  #membersFor(type: ResourceTypeName, members: WriteInput['members']) {
    if (members === undefined) return undefined;
    if (type !== 'Group') throw new TypeError('only groups have members');
    return normalizeMembers(members);
  }

  /**
   * Group commit: writes that arrive while the event loop is busy are committed together, each in its
   * own savepoint (a failing one is rolled back alone and rejects alone). A commit's cost — the WAL
   * frames of every page it touched — is then shared by the batch; no write's promise resolves before
   * the commit that holds it.
   */
  #write<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ fn, resolve: resolve as (value: unknown) => void, reject, deadline: Date.now() + this.#busyTimeoutMs });
      if (this.#pending.length === 1 && this.#retryTimer === undefined) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    if (!this.#db.open) {
      for (const op of this.#pending.splice(0)) op.reject(new StoreError('unavailable', 'the SQLite store is closed'));
      return;
    }
    const batch = this.#pending.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.#transaction.immediate(() => {
        for (const op of batch) {
          try {
            // Nested: better-sqlite3 runs it in a SAVEPOINT, rolled back if it throws.
            outcomes.push({ ok: true, value: this.#transaction(op.fn) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed: none of the batch happened.
      if (isBusy(error)) {
        // Another process holds the write lock: writes still in time wait for it on a timer.
        const now = Date.now();
        const waiting = batch.filter((op) => op.deadline > now);
        for (const op of batch) if (op.deadline <= now) op.reject(transient(error));
        this.#pending.unshift(...waiting);
        if (this.#pending.length > 0) this.#retryLater();
        return;
      }
      for (const op of batch) op.reject(transient(error));
      this.#next();
      return;
    }
    this.#next();
    batch.forEach((op, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) op.resolve(outcome.value);
      else op.reject(transient(outcome.error));
    });
  }

  /** Whatever arrived meanwhile goes in the next batch. */
  #next(): void {
    if (this.#pending.length > 0) setImmediate(() => this.#flush());
  }

  #retryLater(): void {
    if (this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#flush();
    }, BUSY_RETRY_MS);
  }

  #read<T>(fn: () => T): T {
    return this.#transaction.deferred(fn) as T;
  }
}

interface PendingWrite {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** When waiting for another process's lock is given up (enqueue time + busyTimeoutMs). */
  deadline: number;
}

/** How often a write retries while another process holds the database's write lock. */
const BUSY_RETRY_MS = 10;

const isBusy = (error: unknown): boolean => error instanceof Database.SqliteError && /^SQLITE_BUSY/.test(error.code);

/** SQLite result codes that say "not now" (another process's lock, a full disk, I/O), not "never". */
const TRANSIENT_CODES = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|PROTOCOL)/;

/** A database that cannot take the write now becomes StoreError 'unavailable'; anything else is kept. */
function transient(error: unknown): unknown {
  if (error instanceof Database.SqliteError && TRANSIENT_CODES.test(error.code)) {
    return new StoreError('unavailable', `the SQLite database cannot take the write now (${error.code})`, {}, error);
  }
  return error;
}

/** A write under a claim: the claim must still be held (not released, not taken over); it ends with the write. */
function takeClaim(s: Statements, app: string, type: ResourceTypeName, id: string, claim: Claim): void {
  if (claim.app !== app || claim.type !== type || claim.id !== id) throw new TypeError('the claim is for another resource');
  if (!s.claimHeld.get(app, idKey(id), claim.token)) throw new StoreError('claim_lost', 'the claim was released or taken over');
  s.deleteClaim.run(app, claim.token);
}

function appendAuditRow(s: Statements, entry: AuditEntry): void {
  s.appendAudit.run(toAuditRow(entry));
}

function checkVersion(row: ResourceRow, ifVersion: number | undefined): void {
  if (ifVersion !== undefined && row.version !== ifVersion) {
    throw new StoreError('version_mismatch', `version is ${row.version}, not ${ifVersion}`);
  }
}

function checkUniqueness(
  s: Statements,
  app: string,
  type: ResourceTypeName,
  id: string,
  columns: IndexedColumns,
  options: WriteOptions,
): void {
  if (type === 'User' && columns.userName !== null && s.userNameTaken.get(app, columns.userName, id)) {
    throw new StoreError('conflict', 'userName is already taken', { field: 'userName' });
  }
  if (
    type === 'Group' &&
    options.uniqueGroupDisplayName &&
    columns.displayName !== null &&
    s.groupDisplayNameTaken.get(app, columns.displayName, id)
  ) {
    throw new StoreError('conflict', 'displayName is already taken', { field: 'displayName' });
  }
}

function columnParams(type: ResourceTypeName, columns: IndexedColumns, options: WriteOptions) {
  return {
    user_name: columns.userName,
    display_name: columns.displayName,
    display_name_raw: columns.displayNameRaw,
    external_id: columns.externalId,
    unique_key: type === 'Group' && options.uniqueGroupDisplayName ? columns.displayName : null,
  };
}

/** The checks above run first; a unique index still firing is reported the same way, never as a crash. */
function guardUnique(write: () => unknown): void {
  try {
    write();
  } catch (err) {
    if (err instanceof Database.SqliteError && err.code.startsWith('SQLITE_CONSTRAINT_UNIQUE')) {
      const field = err.message.includes('user_name')
        ? 'userName'
        : err.message.includes('unique_key')
          ? 'displayName'
          : err.message.includes('native_id')
            ? 'nativeId'
            : 'id';
      throw new StoreError('conflict', `${field} is already taken`, { field });
    }
    throw err;
  }
}
