/**
 * The Store on PostgreSQL, for several replicas on one database. Writes run in READ COMMITTED
 * transactions in which unique indexes decide uniqueness and row locks order concurrent writers (see
 * writes.ts) — a create with nothing to check first is one statement, its own transaction; claims are
 * rows of their own (claims.ts). A read is one statement where it can be (a
 * group's members come in the same statement, as a JSON column), so it needs no transaction; only a
 * page whose total needs a COUNT takes a REPEATABLE READ snapshot for both.
 *
 * Failures of the database itself become StoreError 'unavailable' (errors.ts, database.ts).
 */

import { randomUUID } from 'node:crypto';
import type { ResourceTypeName } from '../../scim/schemas/registry.js';
import { claimKeys } from '../claim-keys.js';
import { compileOrder, isUniqueLookup } from '../condition-sql.js';
import { normalizeMembers } from '../member-list.js';
import { assertCount, assertResourceType, serializeData, toAuditRecord, toResourceRecord, type ResourceRow } from '../records.js';
import {
  StoreError,
  foldCase,
  type AuditEntry,
  type AuditRecord,
  type AuditTimelineQuery,
  type Claim,
  type ReserveRequest,
  type ResourceRecord,
  type Store,
  type StoreQuery,
  type StoreQueryResult,
  type WriteInput,
  type WriteOptions,
} from '../types.js';
import { reserveIn } from './claims.js';
import { compileCondition } from './condition-sql.js';
import { Database, DEFAULT_TIMEOUTS, type DatabaseOptions, type DatabaseTimeouts, type Queryable } from './database.js';
import { unavailable } from './errors.js';
import { toMembers } from './memberships.js';
import { runMigrations, SCHEMA_VERSION } from './migrations.js';
import { MEMBERS_COLUMN, RESOURCE_COLUMNS, run, runText, SQL, type GroupRow } from './statements.js';
import { appendAuditIn, createFitsOneStatement, createIn, createInOneStatement, deleteIn, hasNul, replaceIn, type WriteParts } from './writes.js';

export interface PostgresStoreOptions {
  /** postgres:// URL; may hold a password, which no message ever shows. */
  url: string;
  /** Where the tables live (created if missing): 1-63 lowercase letters, digits or "_". */
  schema: string;
  /** Connections per process. */
  poolSize: number;
  /** Shown in pg_stat_activity (default "scim-bridge"). */
  applicationName?: string;
  timeouts?: Partial<DatabaseTimeouts>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

export class PostgresStore implements Store {
  readonly #options: DatabaseOptions;
  readonly #db: Database;
  #closed = false;
  /** Settles once this process has seen the schema at this build's version. */
  #schemaChecked: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    if (!SCHEMA_NAME.test(options.schema)) throw new TypeError('the PostgreSQL schema name must be 1-63 lowercase letters, digits or "_"');
    assertCount(options.poolSize, 'poolSize');
    if (options.poolSize < 1) throw new TypeError('poolSize must be at least 1');
    // pg would parse the URL on the first connect and could put it into an error: check it here, quietly.
    if (!isPostgresUrl(options.url)) throw new TypeError('the PostgreSQL store needs a valid postgres:// URL');
    this.#options = {
      url: options.url,
      schema: options.schema,
      poolSize: options.poolSize,
      applicationName: options.applicationName ?? 'scim-bridge',
      timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    };
    this.#db = new Database(this.#options);
  }

  async migrate(): Promise<void> {
    this.#assertOpen();
    await runMigrations(this.#options);
    this.#schemaChecked = Promise.resolve();
  }

  async ping(): Promise<void> {
    this.#assertOpen();
    let version: number | null | undefined;
    try {
      version = (await this.#db.idempotent((db) => run(db, SQL.schemaVersion, [])))[0]?.version;
    } catch (error) {
      throw error instanceof StoreError ? error : unavailable('cannot read its schema', error);
    }
    if (version !== SCHEMA_VERSION) {
      throw new StoreError('unavailable', `the PostgreSQL store has schema version ${version ?? 0}, this build needs ${SCHEMA_VERSION}`);
    }
  }

  async create(app: string, type: ResourceTypeName, input: WriteInput & { id?: string }, options: WriteOptions = {}): Promise<ResourceRecord> {
    const db = await this.#ready();
    assertResourceType(type);
    const parts = writeParts(type, input);
    const id = options.claim?.id ?? input.id ?? randomUUID();
    if (createFitsOneStatement(type, parts, options)) return db.write((q) => createInOneStatement(q, { app, type, id }, parts, options));
    return db.transaction((tx) => createIn(tx, { app, type, id }, parts, options));
  }

  async get(app: string, type: ResourceTypeName, id: string, options: { withMembers?: boolean } = {}): Promise<ResourceRecord | null> {
    const db = await this.#ready();
    if (hasNul(id)) return null;
    return db.idempotent((q) => getOne(q, app, type, id, options.withMembers === true));
  }

  async replace(app: string, type: ResourceTypeName, id: string, input: WriteInput, options: WriteOptions = {}): Promise<ResourceRecord> {
    const db = await this.#ready();
    assertResourceType(type);
    const parts = writeParts(type, input);
    if (hasNul(id)) throw new StoreError('not_found', `${type} not found`);
    return db.transaction((tx) => replaceIn(tx, { app, type, id }, parts, options));
  }

  async delete(app: string, type: ResourceTypeName, id: string, options: Pick<WriteOptions, 'ifVersion' | 'audit' | 'claim'> = {}): Promise<boolean> {
    const db = await this.#ready();
    if (hasNul(id)) return false;
    return db.transaction((tx) => deleteIn(tx, { app, type, id }, options));
  }

  async reserve(app: string, type: ResourceTypeName, request: ReserveRequest): Promise<Claim> {
    const db = await this.#ready();
    assertResourceType(type);
    assertCount(request.leaseMs, 'leaseMs');
    if (request.purpose !== 'create' && request.id === undefined) throw new TypeError(`a ${request.purpose} claim names its resource`);
    const id = request.id ?? randomUUID();
    if (request.purpose !== 'create' && hasNul(id)) throw new StoreError('not_found', `${type} not found`);
    const keys = claimKeys(type, id, request);
    if (keys.some((k) => hasNul(k.key))) throw new TypeError('the PostgreSQL store cannot keep U+0000 in a claimed key');
    const token = randomUUID();
    const version = await db.transaction((tx) => reserveIn(tx, app, type, id, token, keys, request.purpose, request.leaseMs));
    return version === undefined ? { app, type, id, token } : { app, type, id, token, version };
  }

  async release(claim: Claim): Promise<void> {
    const db = await this.#ready();
    await db.idempotent((q) => run(q, SQL.takeClaim, [claim.app, claim.token]));
  }

  async nativeIdsOf(app: string, type: ResourceTypeName, ids: readonly string[]): Promise<Map<string, string>> {
    const db = await this.#ready();
    const found = new Map<string, string>();
    const asked = ids.filter((id) => !hasNul(id));
    if (asked.length === 0) return found;
    for (const row of await db.idempotent((q) => run(q, SQL.nativeIdsOf, [app, type, asked]))) found.set(row.id, row.native_id);
    return found;
  }

  async findByNativeId(app: string, type: ResourceTypeName, nativeId: string): Promise<ResourceRecord | null> {
    const db = await this.#ready();
    if (hasNul(nativeId)) return null;
    const [row] = await db.idempotent((q) => run(q, SQL.byNativeId, [app, type, nativeId]));
    return row ? toResourceRecord(row) : null;
  }

  async query(app: string, type: ResourceTypeName, query: StoreQuery): Promise<StoreQueryResult> {
    const db = await this.#ready();
    if (query.offset !== undefined) assertCount(query.offset, 'offset');
    if (query.limit !== undefined) assertCount(query.limit, 'limit');
    const offset = query.offset ?? 0;
    const withMembers = query.withMembers === true && type === 'Group';
    const condition = query.condition;
    if (isUniqueLookup(type, condition) && !hasNul(condition.value)) {
      // `userName eq` / `id eq` (Entra's every lookup): one row at most, so no ORDER BY, LIMIT or COUNT.
      const record = await db.idempotent((q) =>
        condition.field === 'id' ? getOne(q, app, type, condition.value, withMembers) : byUserName(q, app, condition.value),
      );
      return { total: record ? 1 : 0, records: record && offset === 0 && query.limit !== 0 ? [record] : [] };
    }
    const where = condition === undefined ? undefined : compileCondition(condition, 3);
    const whereSql = `app = $1 AND type = $2${where ? ` AND ${where.sql}` : ''}`;
    const params = [app, type, ...(where?.params ?? [])];
    const columns = withMembers ? `${RESOURCE_COLUMNS}, ${MEMBERS_COLUMN}` : RESOURCE_COLUMNS;
    const pageSql = `SELECT ${columns} FROM resources WHERE ${whereSql} ORDER BY ${compileOrder(query.sort)}
      LIMIT $${params.length + 1} OFFSET $${params.length + 2}`;
    const page = async (q: Queryable) =>
      query.limit === 0 ? [] : toRecords(await runText<GroupRow>(q, pageSql, [...params, query.limit ?? null, offset]), withMembers);
    // A first page that is not full holds every match: no COUNT needed (the common filtered case), nor
    // when the caller counts nothing (countAll: false).
    const complete = (records: ResourceRecord[]) =>
      query.countAll === false || (offset === 0 && (query.limit === undefined || records.length < query.limit));
    if (query.limit !== 0) {
      const records = await db.idempotent(page);
      if (complete(records)) return { total: records.length, records };
    }
    return db.transaction(async (tx) => {
      const records = await page(tx);
      if (complete(records)) return { total: records.length, records };
      const [count] = await runText<{ n: string }>(tx, `SELECT count(*) AS n FROM resources WHERE ${whereSql}`, params);
      return { total: Number(count?.n ?? 0), records };
    }, SNAPSHOT);
  }

  async groupsOf(app: string, memberIds: readonly string[]): Promise<Map<string, { value: string; display: string }[]>> {
    const db = await this.#ready();
    const result = new Map<string, { value: string; display: string }[]>(memberIds.map((id) => [id, []]));
    const asked = [...result.keys()].filter((id) => !hasNul(id));
    if (asked.length === 0) return result;
    for (const row of await db.idempotent((q) => run(q, SQL.groupsOf, [app, asked]))) {
      result.get(row.member_id)?.push({ value: row.group_id, display: row.display ?? '' });
    }
    return result;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const db = await this.#ready();
    // In a transaction: retried only when the connection was lost before its COMMIT (never twice in the trail).
    await db.transaction((tx) => appendAuditIn(tx, entry));
  }

  async auditTimeline(app: string, query: AuditTimelineQuery): Promise<AuditRecord[]> {
    const db = await this.#ready();
    assertCount(query.limit, 'limit');
    const key = query.name === undefined ? null : foldCase(query.name);
    const rows = await db.idempotent((q) => run(q, SQL.auditTimeline, [app, key, query.resourceId ?? null, query.since ?? '', query.limit]));
    return rows.reverse().map((row) => toAuditRecord({ ...row, seq: Number(row.seq) }));
  }

  async readAudit(app: string, limit: number): Promise<AuditRecord[]> {
    const db = await this.#ready();
    assertCount(limit, 'limit');
    const rows = await db.idempotent((q) => run(q, SQL.readAudit, [app, limit]));
    return rows.map((row) => toAuditRecord({ ...row, seq: Number(row.seq) }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.end();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the PostgreSQL store is closed');
  }

  /** The database, once this process knows the schema is at this build's version (checked once). */
  async #ready(): Promise<Database> {
    this.#assertOpen();
    this.#schemaChecked ??= this.#checkSchema().catch((error: unknown) => {
      this.#schemaChecked = undefined;
      throw error;
    });
    await this.#schemaChecked;
    return this.#db;
  }

  async #checkSchema(): Promise<void> {
    const version = await this.#db.idempotent((q) => run(q, SQL.schemaVersion, [])).then(
      (rows) => rows[0]?.version ?? 0,
      (error: unknown) => {
        // No schema_migrations table yet: nothing was ever migrated here.
        if ((error as { code?: unknown }).code === '42P01') return 0;
        throw error;
      },
    );
    if (version !== SCHEMA_VERSION) {
      throw new Error(`the PostgreSQL store has schema version ${version}, this build needs ${SCHEMA_VERSION}: call migrate()`);
    }
  }
}

function isPostgresUrl(url: string): boolean {
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'postgres:' || protocol === 'postgresql:';
  } catch {
    return false;
  }
}

function writeParts(type: ResourceTypeName, input: WriteInput): WriteParts {
  const serialized = serializeData(input.data);
  if (input.members !== undefined && type !== 'Group') throw new TypeError('only groups have members');
  return {
    data: input.data,
    serialized,
    nativeId: input.nativeId ?? null,
    members: input.members === undefined ? undefined : normalizeMembers(input.members),
  };
}

async function getOne(q: Queryable, app: string, type: ResourceTypeName, id: string, withMembers: boolean): Promise<ResourceRecord | null> {
  if (withMembers && type === 'Group') {
    const [row] = await run(q, SQL.getWithMembers, [app, type, id]);
    return row ? toRecords([row], true)[0]! : null;
  }
  const [row] = await run(q, SQL.getResource, [app, type, id]);
  return row ? toResourceRecord(row) : null;
}

async function byUserName(q: Queryable, app: string, userName: string): Promise<ResourceRecord | null> {
  const [row] = await run(q, SQL.byUserName, [app, userName]);
  return row ? toResourceRecord(row) : null;
}

function toRecords(rows: (ResourceRow & Partial<Pick<GroupRow, 'members'>>)[], withMembers: boolean): ResourceRecord[] {
  return rows.map((row) => {
    const record = toResourceRecord(row);
    if (withMembers) record.members = toMembers(row.members ?? []);
    return record;
  });
}
