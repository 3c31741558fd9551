/**
 * A query over every resource type of an app (RFC 7644 §3.4.3, POST `/.search` at the root): Users and
 * Groups in one ListResponse, paged as one list. Each type answers the filter when its schemas define
 * every attribute the filter names (Groups have no `userName`); a filter no type can answer is the
 * invalidFilter the first type gives. Without `sortBy` the list is the Users, then the Groups, so a page
 * costs one query per type; with it both are merged in order, which looks at every resource up to the
 * end of the page.
 */
import { tooMany } from '../scim/errors.js';
import type { AttrPathRef, FilterNode } from '../scim/filter/ast.js';
import { listResponse, type ListParams, type ListResponse } from '../scim/list.js';
import { project } from '../scim/projection.js';
import type { ResourceTypeName, SchemaRegistry } from '../scim/schemas/registry.js';
import type { JsonObject } from '../store/types.js';
import type { ScanLimits } from './scan.js';
import type { RequestContext, ResourceService } from './resources.js';
import { sortResources } from './sort.js';

const RESOURCE_TYPES: readonly ResourceTypeName[] = ['User', 'Group'];

/** A sorted search across types reads at most this many resources of each type. */
export const MAX_MERGED_RESOURCES = 10_000;

/** Every attribute path a filter names (a value path by its attribute). */
function pathsOf(node: FilterNode): AttrPathRef[] {
  switch (node.kind) {
    case 'compare':
    case 'present':
      return [node.path];
    case 'and':
    case 'or':
      return [...pathsOf(node.left), ...pathsOf(node.right)];
    case 'not':
      return pathsOf(node.filter);
    case 'valuePath':
      return [node.path];
  }
}

function answers(registry: SchemaRegistry, type: ResourceTypeName, params: ListParams): boolean {
  if (!params.filter) return true;
  return pathsOf(params.filter).every((path) => registry.resolve(type, path) !== undefined);
}

export async function searchAllTypes(
  service: ResourceService,
  registry: SchemaRegistry,
  params: ListParams,
  ctx: RequestContext,
  scan: ScanLimits,
): Promise<ListResponse> {
  const types = RESOURCE_TYPES.filter((type) => answers(registry, type, params));
  // No type has every attribute: the first type's validation says which one is wrong.
  if (types.length === 0) return service.list(RESOURCE_TYPES[0]!, params, ctx, scan);
  return params.sortBy ? sortedAcross(service, registry, types, params, ctx, scan) : concatenated(service, types, params, ctx, scan);
}

/** The Users, then the Groups: each type is asked for the part of the page that falls on it. */
async function concatenated(
  service: ResourceService,
  types: readonly ResourceTypeName[],
  params: ListParams,
  ctx: RequestContext,
  scan: ScanLimits,
): Promise<ListResponse> {
  const resources: unknown[] = [];
  let before = 0; // resources of the types already asked
  for (const type of types) {
    const startIndex = Math.max(1, params.startIndex - before);
    const count = Math.max(0, params.count - resources.length);
    const page = await service.list(type, { ...params, startIndex, count }, ctx, scan);
    resources.push(...page.Resources);
    before += page.totalResults;
  }
  return listResponse(resources, before, params.startIndex);
}

/** Both types read whole up to the end of the page, merged by `sortBy`, then projected. */
async function sortedAcross(
  service: ResourceService,
  registry: SchemaRegistry,
  types: readonly ResourceTypeName[],
  params: ListParams,
  ctx: RequestContext,
  scan: ScanLimits,
): Promise<ListResponse> {
  const sortBy = params.sortBy!;
  const depth = params.startIndex - 1 + params.count;
  if (depth > MAX_MERGED_RESOURCES) throw tooMany(`A search across Users and Groups sorted by an attribute reaches at most ${MAX_MERGED_RESOURCES} resources deep`);
  const { attributes: _a, excludedAttributes: _e, ...unprojected } = params;
  let total = 0;
  const merged: { resource: JsonObject; type: ResourceTypeName }[] = [];
  for (const type of types) {
    // A type without the attribute is read unsorted; its resources have no value for it and go last.
    const knows = registry.resolve(type, sortBy) !== undefined;
    const query: ListParams = { ...unprojected, startIndex: 1, count: depth };
    if (!knows) delete query.sortBy;
    const page = await service.list(type, query, ctx, scan);
    total += page.totalResults;
    for (const resource of page.Resources) merged.push({ resource: resource as JsonObject, type });
  }
  const resolved = types.map((type) => registry.resolve(type, sortBy)).find((r) => r !== undefined)!;
  const byResource = new Map(merged.map((m) => [m.resource, m.type]));
  const ordered = sortResources(merged.map((m) => m.resource), resolved, params.descending);
  const page = ordered.slice(params.startIndex - 1, depth).map((resource) => project(resource, params, { registry, type: byResource.get(resource)! }));
  return listResponse(page, total, params.startIndex);
}
