/**
 * One reconcile run of one app: pages through every native user (within the app's native rate budget:
 * the connector's own client), compares each with the gateway user that links it, finds the gateway users
 * whose native record is gone, says for each unlinked native user whether adoption would take it, and —
 * with `adopt` or `repair` — acts. The run keeps a checkpoint after every page, so an interrupted one
 * (killed, Ctrl-C, a native outage) resumes where it stopped and still reports every user once.
 *
 * Safe beside Entra: listing and comparing write nothing; an adoption goes through the resource service's
 * own adoption (a filter that misses the store looks the native API up and links what it finds, under
 * the write path's claims, audited); a repair holds the gateway user's claim while it writes natively, so
 * no Entra write to that user interleaves, and compares what it reads back.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { runInScope, type Subject } from '../audit/scope.js';
import type { ConnectorContext, NativeRecord, Reconcilable } from '../connectors/types.js';
import { ScimError } from '../scim/errors.js';
import { parseFilter } from '../scim/filter/index.js';
import { batchedNativeIds } from '../service/native-ids.js';
import { resourceBody } from '../service/render.js';
import type { AppRuntime, ResourceService } from '../service/resources.js';
import { foldCase, StoreError, type Claim, type ResourceRecord } from '../store/types.js';
import type { CheckpointStore } from './state.js';
import { countEntries, emptyCounts, type Checkpoint, type ReconcileEntry, type ReconcileMode, type ReconcileStatus } from './types.js';

export interface ReconcileTarget {
  runtime: AppRuntime;
  /** The app's resource service: adoption goes through its own path. */
  service: ResourceService;
  maxScanCandidates: number;
}

export interface RunOptions {
  mode: ReconcileMode;
  state: CheckpointStore;
  log: Logger;
  /** After each page, batch and action: the status so far. */
  onProgress?: (status: ReconcileStatus) => void;
  /** Stops after the current step with the checkpoint saved; the next run resumes. */
  signal?: AbortSignal;
  /** Discards an interrupted run's checkpoint instead of resuming it. */
  restart?: boolean;
  /** The clock of startedAt/finishedAt (tests). */
  now?: () => Date;
}

/** The operator's mistake or a run already in progress: said as it is, never a stack. */
export class ReconcileRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconcileRefused';
  }
}

/** Gateway users examined per store query when looking for those whose native record is gone. */
const GATEWAY_BATCH = 200;
/** Actions between two checkpoints (each action is idempotent, so redoing a few after a crash is harmless). */
const ACTIONS_PER_CHECKPOINT = 20;
/** How long a repair waits for an Entra write holding the same user. */
const MIN_CLAIM_WAIT_MS = 10_000;

export function reconcilableOf(target: ReconcileTarget): Reconcilable {
  const rec = target.runtime.connector.reconcile;
  if (!rec) {
    throw new ReconcileRefused(
      `app "${target.runtime.name}" cannot be reconciled: its connector lists no native users (a rest app whose plugin declares users.operations.list)`,
    );
  }
  return rec;
}

export async function runReconcile(target: ReconcileTarget, options: RunOptions): Promise<ReconcileStatus> {
  const app = target.runtime.name;
  const rec = reconcilableOf(target);
  if (!options.state.lock(app)) throw new ReconcileRefused(`a reconcile of "${app}" is running already (its lock file is held by a live process)`);
  try {
    const run = new Run(target, rec, options, resumeOrStart(app, options));
    return await run.go();
  } finally {
    options.state.unlock(app);
  }
}

function resumeOrStart(app: string, options: RunOptions): Checkpoint {
  const previous = options.restart ? undefined : options.state.load(app);
  if (previous && previous.status.state !== 'done' && previous.status.mode === options.mode) {
    options.log.info({ app, phase: previous.phase, seen: previous.status.progress.seen }, 'reconcile resumes an interrupted run');
    const { error: _error, ...status } = previous.status;
    return { ...previous, status: { ...status, state: 'running' } };
  }
  const now = (options.now ?? (() => new Date()))();
  return {
    version: 1,
    status: { app, mode: options.mode, state: 'running', startedAt: now.toISOString(), progress: { seen: 0 }, counts: emptyCounts(), entries: [] },
    phase: 'native',
    linked: [],
    matchValues: {},
    acted: 0,
  };
}

class Run {
  private readonly ctx: ConnectorContext;
  private readonly requestId = `reconcile-${randomUUID()}`;
  private readonly keyCounts = new Map<string, number>();

  constructor(
    private readonly target: ReconcileTarget,
    private readonly rec: Reconcilable,
    private readonly options: RunOptions,
    private readonly cp: Checkpoint,
  ) {
    const { store, name } = target.runtime;
    this.ctx = {
      nativeIdOf: batchedNativeIds((type, ids) => store.nativeIdsOf(name, type, ids)),
      scimIdOf: async (type, nativeId) => (await store.findByNativeId(name, type, nativeId))?.id,
      groupsOf: async (userId) => ((await store.groupsOf(name, [userId])).get(userId) ?? []).map((g) => g.value),
    };
  }

  private get app(): string {
    return this.target.runtime.name;
  }

  private get store() {
    return this.target.runtime.store;
  }

  /**
   * The run inside a request scope of its own (src/audit/scope.ts), so its native calls (log lines, the
   * downstream request id header, audit rows) name the reconcile request id as a SCIM request's name its own.
   */
  go(): Promise<ReconcileStatus> {
    return this.inScope({}, () => this.steps());
  }

  /** A step about one resource gets a fresh subject: what one adoption or repair notes does not leak into the next. */
  private inScope<T>(subject: Subject, work: () => Promise<T>): Promise<T> {
    return runInScope({ requestId: this.requestId, app: this.app, subject }, work);
  }

  private async steps(): Promise<ReconcileStatus> {
    try {
      while (this.cp.phase !== 'done') {
        if (this.options.signal?.aborted) return this.cp.status;
        if (this.cp.phase === 'native') await this.nativePage();
        else if (this.cp.phase === 'gateway') await this.gatewayBatch();
        else await this.actions();
      }
      this.cp.status = { ...this.cp.status, state: 'done', finishedAt: this.now() };
      this.save();
      return this.cp.status;
    } catch (error) {
      // Kept resumable: the phase and cursor stay, the next run of the same mode goes on from there.
      const message = error instanceof ScimError || error instanceof StoreError || error instanceof ReconcileRefused ? error.message : 'internal error (see the log)';
      this.options.log.error({ app: this.app, err: error }, 'reconcile failed');
      this.cp.status = { ...this.cp.status, state: 'failed', finishedAt: this.now(), error: message };
      this.save();
      return this.cp.status;
    }
  }

  // ---- native users, page by page ------------------------------------------------------------

  private async nativePage(): Promise<void> {
    const page = await this.rec.listPage('User', this.cp.cursor, this.ctx);
    const entries: ReconcileEntry[] = [];
    for (const record of page.records) {
      if (record.matchValue !== undefined) this.cp.matchValues[record.nativeId] = record.matchValue;
      const linked = await this.store.findByNativeId(this.app, 'User', record.nativeId);
      if (linked) {
        this.cp.linked.push(record.nativeId);
        entries.push(await this.compared(record, linked));
      } else {
        entries.push({ kind: 'native-only', ...userNameOf(record.resource.userName), nativeId: record.nativeId });
      }
    }
    const status = this.cp.status;
    status.entries.push(...entries);
    status.progress = { seen: status.progress.seen + page.records.length, ...(page.total === undefined ? pick(status.progress.total) : { total: page.total }) };
    if (page.next === undefined) {
      delete this.cp.cursor;
      await this.decideAdoption();
      this.cp.phase = 'gateway';
    } else {
      this.cp.cursor = page.next;
    }
    this.checkpoint();
  }

  private async compared(record: NativeRecord, linked: ResourceRecord): Promise<ReconcileEntry> {
    const fields = await this.rec.differences('User', record, resourceBody(linked), this.ctx);
    const base = { ...userNameOf(linked.data.userName), id: linked.id, nativeId: record.nativeId };
    if (fields.length === 0) return { kind: 'equal', ...base };
    return { kind: 'differs', ...base, fields: fields.map((f) => ({ path: f.field, native: f.native, gateway: f.gateway })) };
  }

  /**
   * The adoption rules of the REST connector, applied to every native-only user once the listing is
   * complete: the service adopts a native user found by a userName filter the store cannot answer, when
   * the plugin's search finds exactly one native record whose match field equals the value.
   */
  private async decideAdoption(): Promise<void> {
    const connector = this.target.runtime.connector;
    const byUserName = connector.canFind('User', 'userName');
    this.keyCounts.clear();
    // Every listed user counts here, linked or not: two native users with one email are ambiguous either way.
    for (const value of Object.values(this.cp.matchValues)) this.keyCounts.set(foldCase(value), (this.keyCounts.get(foldCase(value)) ?? 0) + 1);
    for (const entry of this.cp.status.entries) {
      if (entry.kind !== 'native-only' || entry.nativeId === undefined) continue;
      const value = this.cp.matchValues[entry.nativeId];
      const verdict = await this.adoptable(value, byUserName, entry.nativeId);
      entry.adoptable = verdict.adoptable;
      entry.reason = verdict.reason;
    }
    // Only native-only users' keys are needed from here on (the act phase).
    const native = new Set(this.cp.status.entries.filter((e) => e.kind === 'native-only').map((e) => e.nativeId));
    this.cp.matchValues = Object.fromEntries(Object.entries(this.cp.matchValues).filter(([id]) => native.has(id)));
  }

  private async adoptable(value: string | undefined, byUserName: boolean, nativeId: string): Promise<{ adoptable: boolean; reason: string }> {
    if (!byUserName) return { adoptable: false, reason: "the plugin's search cannot look users up by userName, so the gateway never adopts" };
    if (value === undefined) return { adoptable: false, reason: "no value in the field the plugin's search matches on: nothing to match a gateway user by" };
    const twins = this.keyCounts.get(foldCase(value)) ?? 0;
    if (twins > 1) return { adoptable: false, reason: `${twins} native users share this value of the match field: adoption refuses an ambiguous match` };
    const taken = await this.store.query(this.app, 'User', { condition: { op: 'eq', field: 'userName', value: foldCase(value) }, limit: 1, countAll: false });
    const holder = taken.records[0];
    if (holder?.nativeId === nativeId) return { adoptable: false, reason: `linked by gateway user ${holder.id} while this run was listing (Entra provisioned it)` };
    if (holder) {
      return {
        adoptable: false,
        reason: holder.nativeId === undefined ? `gateway user ${holder.id} has this userName but no native record: link it by hand` : `gateway user ${holder.id} has this userName and links native user ${holder.nativeId}`,
      };
    }
    return { adoptable: true, reason: 'no gateway user has this userName: --adopt links it (as Entra would adopt it on its next lookup)' };
  }

  // ---- gateway users the listing did not show -------------------------------------------------

  private async gatewayBatch(): Promise<void> {
    const after = this.cp.gatewayAfter;
    const { records } = await this.store.query(this.app, 'User', {
      ...(after === undefined ? {} : { condition: { op: 'gt', field: 'id', value: after } }),
      sort: { field: 'id', descending: false },
      limit: GATEWAY_BATCH,
      countAll: false,
    });
    const linked = new Set(this.cp.linked);
    for (const record of records) {
      if (record.nativeId !== undefined && linked.has(record.nativeId)) continue;
      const entry = await this.unlisted(record);
      if (!entry) continue;
      if (entry.kind === 'equal' || entry.kind === 'differs') this.cp.linked.push(record.nativeId!);
      this.cp.status.entries.push(entry);
    }
    const last = records[records.length - 1];
    if (last) this.cp.gatewayAfter = last.id;
    if (records.length < GATEWAY_BATCH) this.cp.phase = this.options.mode === 'dry-run' ? 'done' : 'act';
    this.checkpoint();
  }

  /**
   * A gateway user whose native id the listing did not show: the native record is read to tell "gone"
   * from "created or linked while the listing ran" (Entra provisions meanwhile).
   */
  private async unlisted(record: ResourceRecord): Promise<ReconcileEntry | undefined> {
    const base = { ...userNameOf(record.data.userName), id: record.id };
    if (record.nativeId === undefined) return { kind: 'gateway-only', ...base, reason: 'never linked to a native record (written before the app had a native connector)' };
    const native = await this.rec.readNative('User', record.nativeId, this.ctx);
    if (native) return this.compared(native, record);
    if (native === null) return { kind: 'gateway-only', ...base, nativeId: record.nativeId, reason: 'the native record is gone: the API answers 404 for its id' };
    // No read to ask with: a user created after the run started may simply be newer than the listing.
    if (record.created >= this.cp.status.startedAt) return undefined;
    return { kind: 'gateway-only', ...base, nativeId: record.nativeId, reason: 'not in the native list (the plugin has no read operation to confirm it is gone)' };
  }

  // ---- --adopt and --repair -------------------------------------------------------------------

  private async actions(): Promise<void> {
    const entries = this.cp.status.entries;
    const stop = Math.min(entries.length, this.cp.acted + ACTIONS_PER_CHECKPOINT);
    for (let i = this.cp.acted; i < stop; i += 1) {
      const entry = entries[i]!;
      if (this.options.mode === 'adopt' && entry.kind === 'native-only' && entry.adoptable) await this.adopt(entry);
      if (this.options.mode === 'repair' && entry.kind === 'differs') await this.repair(entry);
      this.cp.acted = i + 1;
    }
    if (this.cp.acted >= entries.length) this.cp.phase = 'done';
    this.checkpoint();
  }

  /** The service's own adoption: a userName filter the store cannot answer, looked up natively and linked under claims. */
  private adopt(entry: ReconcileEntry): Promise<void> {
    const subject: Subject = { resourceType: 'User' };
    if (entry.nativeId !== undefined) subject.nativeId = entry.nativeId;
    return this.inScope(subject, () => this.adoptInScope(entry));
  }

  private async adoptInScope(entry: ReconcileEntry): Promise<void> {
    const nativeId = entry.nativeId!;
    const value = this.cp.matchValues[nativeId];
    try {
      if (value === undefined) throw new ReconcileRefused('its match value was not kept');
      await this.target.service.list(
        'User',
        { filter: parseFilter(`userName eq ${JSON.stringify(value)}`), startIndex: 1, count: 1, descending: false },
        { requestId: this.requestId, baseUrl: '' },
        { maxCandidates: this.target.maxScanCandidates },
      );
      const linked = await this.store.findByNativeId(this.app, 'User', nativeId);
      if (!linked) throw new ReconcileRefused("the service's adoption did not link it (the audit trail says why)");
      Object.assign(entry, { id: linked.id, action: 'adopted', reason: `adopted as gateway user ${linked.id}` });
    } catch (error) {
      Object.assign(entry, { action: 'failed', reason: `adoption failed: ${messageOf(error)}` });
    }
  }

  /** Pushes the gateway's values, holding the user's claim so no Entra write interleaves; checked by reading back. */
  private repair(entry: ReconcileEntry): Promise<void> {
    const subject: Subject = { resourceType: 'User' };
    if (entry.id !== undefined) subject.resourceId = entry.id;
    if (entry.userName !== undefined) subject.resourceName = entry.userName;
    if (entry.nativeId !== undefined) subject.nativeId = entry.nativeId;
    return this.inScope(subject, () => this.repairInScope(entry));
  }

  private async repairInScope(entry: ReconcileEntry): Promise<void> {
    const started = Date.now();
    let claim: Claim | undefined;
    let detail: string;
    let ok = false;
    try {
      claim = await this.reserve(entry.id!);
      const current = await this.store.get(this.app, 'User', entry.id!);
      if (!current?.nativeId) throw new ReconcileRefused('the gateway user was deleted or unlinked meanwhile');
      const native = await this.rec.readNative('User', current.nativeId, this.ctx);
      if (native === null) throw new ReconcileRefused('the native record is gone');
      if (native === undefined) throw new ReconcileRefused('the plugin has no read operation to repair against');
      const gateway = resourceBody(current);
      if ((await this.rec.differences('User', native, gateway, this.ctx)).length > 0) {
        await this.rec.repair('User', native, gateway, this.ctx);
        const back = await this.rec.readNative('User', current.nativeId, this.ctx);
        const left = back ? await this.rec.differences('User', back, gateway, this.ctx) : [];
        if (left.length > 0) throw new ReconcileRefused(`read back, ${left.map((f) => f.field).join(', ')} still differ`);
      }
      ok = true;
      detail = 'the gateway values were sent to the native record';
      Object.assign(entry, { action: 'repaired', reason: detail });
    } catch (error) {
      detail = `repair failed: ${messageOf(error)}`;
      Object.assign(entry, { action: 'failed', reason: detail });
    } finally {
      if (claim) await this.store.release(claim).catch(() => {}); // else it lapses with its lease
    }
    await this.store
      .appendAudit({
        app: this.app,
        action: 'reconcile repair',
        resourceType: 'User',
        resourceId: entry.id!,
        status: ok ? 200 : 409,
        detail: detail.slice(0, 500),
        requestId: this.requestId,
        durationMs: Date.now() - started,
      })
      .catch((error: unknown) => this.options.log.error({ err: error }, 'audit append failed'));
  }

  /** The user's claim, waiting while an Entra write holds it. */
  private async reserve(id: string): Promise<Claim> {
    const { claims } = this.target.runtime;
    const deadline = Date.now() + Math.max(claims.waitMs, MIN_CLAIM_WAIT_MS);
    for (let pause = 20; ; pause = Math.min(pause * 2, 500)) {
      try {
        return await this.store.reserve(this.app, 'User', { purpose: 'update', id, leaseMs: claims.leaseMs });
      } catch (error) {
        if (!(error instanceof StoreError && error.code === 'claimed') || Date.now() + pause > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  // ---- bookkeeping ----------------------------------------------------------------------------

  private checkpoint(): void {
    this.save();
    this.options.onProgress?.(this.cp.status);
  }

  private save(): void {
    this.cp.status.counts = countEntries(this.cp.status.entries);
    this.options.state.save(this.app, this.cp);
  }

  private now(): string {
    return (this.options.now ?? (() => new Date()))().toISOString();
  }
}

const userNameOf = (value: unknown): { userName?: string } => (typeof value === 'string' ? { userName: value } : {});

const pick = (total: number | undefined): { total?: number } => (total === undefined ? {} : { total });

function messageOf(error: unknown): string {
  if (error instanceof ScimError || error instanceof ReconcileRefused) return error.message;
  if (error instanceof StoreError) return error.code === 'claimed' ? 'another request kept the user busy; run again' : error.message;
  return 'internal error (see the log)';
}
