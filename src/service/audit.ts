/**
 * Every write is audited, whatever its outcome. A successful write carries its audit entry into the
 * store's own transaction (so an acknowledged write always has its record); a refused or failed one is
 * appended on its own afterwards.
 */
import type { Logger } from 'pino';
import { ScimError, internalError } from '../scim/errors.js';
import type { ResourceTypeName } from '../scim/schemas/registry.js';
import { StoreError, type AuditEntry, type Store } from '../store/types.js';

/** Builds the audit entry of the write in progress, for the store to commit with it. */
export type AuditFor = (status: number, resourceId?: string) => AuditEntry;

export interface AuditedOutcome<T> {
  result: T;
  id?: string;
  /** True when the store already committed the audit entry with the write. */
  audited: boolean;
  status: number;
}

export async function audited<T>(
  store: Store,
  log: Logger,
  base: { app: string; action: string; resourceType: ResourceTypeName; resourceId?: string; requestId: string },
  work: (auditFor: AuditFor) => Promise<AuditedOutcome<T>>,
): Promise<T> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 1000) / 1000;
  const auditFor: AuditFor = (status, resourceId = base.resourceId) => ({
    app: base.app,
    action: base.action,
    resourceType: base.resourceType,
    status,
    requestId: base.requestId,
    durationMs: elapsed(),
    ...(resourceId === undefined ? {} : { resourceId }),
  });
  let entry: AuditEntry | undefined;
  try {
    const outcome = await work(auditFor);
    if (!outcome.audited) entry = auditFor(outcome.status, outcome.id);
    return outcome.result;
  } catch (error) {
    const scim = error instanceof ScimError ? error : internalError(error);
    const detail = scim.scimType ? `${scim.scimType}: ${scim.message}` : scim.message;
    entry = { ...auditFor(scim.status), detail: detail.slice(0, 500) };
    throw scim;
  } finally {
    if (entry) {
      const append = store.appendAudit(entry).catch((error: unknown) => {
        // A database that is away is already one warning per episode (the 503 it causes); per request it is noise.
        if (error instanceof StoreError && error.code === 'unavailable') log.debug({ app: base.app, action: base.action }, 'audit append failed: the store is unavailable');
        else log.error({ err: error, app: base.app, action: base.action }, 'audit append failed');
      });
      // A 503 (the database or the native API cannot answer now) goes out at once: its audit row waits for
      // the database on its own rather than holding the answer the client should retry.
      if (entry.status !== 503) await append;
    }
  }
}
