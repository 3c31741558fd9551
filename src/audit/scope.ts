/**
 * The request a piece of work belongs to, carried through async calls (AsyncLocalStorage) so that what
 * happens deep below the service — a native call, its log line, its audit row, the outgoing request's
 * id header — names the inbound request and the resource it is about, without threading an argument
 * through every connector and plugin function.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ResourceTypeName } from '../scim/schemas/registry.js';

/** What a request is about, filled in as it becomes known (the route, the connector, the store). */
export interface Subject {
  resourceType?: ResourceTypeName;
  /** The SCIM id. */
  resourceId?: string;
  /** userName (users) or displayName (groups) as the request wrote it, or as stored before a delete. */
  resourceName?: string;
  nativeId?: string;
}

export interface RequestScope {
  requestId: string;
  app?: string;
  subject: Subject;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInScope<T>(scope: RequestScope, work: () => T): T {
  return storage.run(scope, work);
}

/** The scope of the request this code runs for, if any (start-up, timers and the CLI have none). */
export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

/** Adds what is now known about the subject; a field already set stays unless `overwrite`. */
export function noteSubject(subject: Subject, overwrite = false): void {
  const scope = storage.getStore();
  if (!scope) return;
  for (const [key, value] of Object.entries(subject) as [keyof Subject, string | undefined][]) {
    if (value === undefined) continue;
    if (overwrite || scope.subject[key] === undefined) (scope.subject as Record<string, string>)[key] = value;
  }
}

/** The name a resource is known by: userName for a user, displayName for a group. */
export function nameOf(type: ResourceTypeName, data: { [key: string]: unknown } | undefined): string | undefined {
  const value = data?.[type === 'User' ? 'userName' : 'displayName'];
  return typeof value === 'string' ? value : undefined;
}
