/**
 * The store with every audit entry completed from the request scope before it is written: the request
 * id, what the request is about (resource id, its userName/displayName at the time, its native id) and
 * the outcome in a word. The resource service and the connectors write their rows as before; this
 * wrapper, at the composition root, is the one place that knows what a row should also say.
 */
import type { ResourceTypeName } from '../scim/schemas/registry.js';
import type { AuditEntry, JsonObject, Store, WriteInput, WriteOptions } from '../store/types.js';
import { wrapWith } from '../store/wrap.js';
import { currentScope, nameOf, noteSubject } from './scope.js';

/** A write's outcome from its status: done, refused (the client's 4xx) or failed (ours or downstream). */
function outcomeOf(status: number): string {
  if (status < 400) return 'ok';
  return status < 500 ? 'refused' : 'failed';
}

/** The entry with what the scope knows filled in where the entry says nothing. */
function completeEntry(entry: AuditEntry, data?: JsonObject): AuditEntry {
  const scope = currentScope();
  const subject = scope?.subject;
  // A row about another resource (a member's native record written for a group change) takes nothing from the subject.
  const sameResource =
    subject &&
    (subject.resourceType === undefined || subject.resourceType === entry.resourceType) &&
    (entry.resourceId === undefined || subject.resourceId === undefined || subject.resourceId === entry.resourceId);
  const resourceName = entry.resourceName ?? nameOf(entry.resourceType, data) ?? (sameResource ? subject.resourceName : undefined);
  const nativeId = entry.nativeId ?? (sameResource ? subject.nativeId : undefined);
  const resourceId = entry.resourceId ?? (sameResource ? subject.resourceId : undefined);
  return {
    ...entry,
    ...(entry.requestId === undefined && scope ? { requestId: scope.requestId } : {}),
    ...(resourceId === undefined ? {} : { resourceId }),
    ...(resourceName === undefined ? {} : { resourceName }),
    ...(nativeId === undefined ? {} : { nativeId }),
    outcome: entry.outcome ?? outcomeOf(entry.status),
  };
}

export function auditingStore(store: Store): Store {
  const withAudit = <O extends Pick<WriteOptions, 'audit'>>(options: O | undefined, data: JsonObject | undefined, nativeId?: string): O | undefined =>
    options?.audit ? { ...options, audit: completeEntry(nativeId === undefined ? options.audit : { nativeId, ...options.audit }, data) } : options;
  const wrapped: Partial<Store> = {
    appendAudit: (entry) => store.appendAudit(completeEntry(entry)),
    create: async (app: string, type: ResourceTypeName, input: WriteInput & { id?: string }, options?: WriteOptions) => {
      const record = await store.create(app, type, input, withAudit(options, input.data, input.nativeId));
      noteSubject({ resourceType: type, resourceId: record.id, ...(record.nativeId === undefined ? {} : { nativeId: record.nativeId }) });
      return record;
    },
    replace: (app: string, type: ResourceTypeName, id: string, input: WriteInput, options?: WriteOptions) =>
      store.replace(app, type, id, input, withAudit(options, input.data, input.nativeId)),
    delete: (app, type, id, options) => {
      // The row of a delete names what was deleted, as it was (the service passes it): its history stays findable by name.
      if (options?.audit) noteSubject({ resourceName: options.audit.resourceName, nativeId: options.audit.nativeId });
      return store.delete(app, type, id, withAudit(options, undefined));
    },
  };
  return wrapWith(store, wrapped);
}
