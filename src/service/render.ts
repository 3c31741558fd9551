/**
 * A stored record turned into the SCIM representation clients read: `schemas`, `id`, the attributes as
 * the client wrote them, computed `members`/`groups`, and `meta`.
 */
import type { ResourceTypeName } from '../scim/schemas/registry.js';
import { etagOf } from '../scim/etag.js';
import type { JsonObject, ResourceRecord } from '../store/types.js';

export const endpointOf = (type: ResourceTypeName): string => (type === 'User' ? 'Users' : 'Groups');

/**
 * The resource as the PATCH engine and filters see it: data + id + members, without meta or computed
 * `groups`.
 */
export function resourceBody(record: ResourceRecord): JsonObject {
  const { schemas, ...attributes } = record.data;
  const body: JsonObject = { schemas, id: record.id, ...attributes };
  if (record.members && record.members.length > 0) body.members = record.members.map((m) => m.raw);
  return body;
}

/** `baseUrl` is the app's SCIM base, e.g. https://gw.example.com/apps/directory/scim/v2. */
export function renderResource(
  record: ResourceRecord,
  baseUrl: string,
  groups?: readonly { value: string; display: string }[],
): JsonObject {
  const body = resourceBody(record);
  if (record.type === 'User' && groups && groups.length > 0) {
    body.groups = groups.map((g) => ({
      value: g.value,
      $ref: `${baseUrl}/Groups/${encodeURIComponent(g.value)}`,
      display: g.display,
      type: 'direct',
    }));
  }
  body.meta = {
    resourceType: record.type,
    created: record.created,
    lastModified: record.lastModified,
    location: `${baseUrl}/${endpointOf(record.type)}/${encodeURIComponent(record.id)}`,
    version: etagOf(record.version),
  };
  return body;
}
