/**
 * List queries (RFC 7644 §3.4.2): the parameters of a GET on a resource endpoint or the body of a
 * POST /.search, parsed into one shape; and the ListResponse message.
 */
import { invalidSyntax, invalidValue } from './errors.js';
import type { AttrPathRef, FilterNode } from './filter/ast.js';
import { parseAttrPath, parseFilter } from './filter/index.js';
import { parseAttributeList } from './projection.js';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export interface ListParams {
  filter?: FilterNode;
  sortBy?: AttrPathRef;
  descending: boolean;
  /** 1-based, as in the RFC. */
  startIndex: number;
  count: number;
  attributes?: AttrPathRef[];
  excludedAttributes?: AttrPathRef[];
}

export interface ListLimits {
  defaultCount: number;
  maxResults: number;
}

/** A query-string or JSON value that must be one string (repeated query parameters are refused). */
function single(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw invalidValue(`"${name}" must be given once, as a string`);
}

function integer(name: string, value: unknown): number | undefined {
  const text = single(name, value);
  if (text === undefined || text.trim() === '') return undefined;
  if (!/^\s*-?\d{1,15}\s*$/.test(text)) throw invalidValue(`"${name}" must be an integer`);
  return Number.parseInt(text, 10);
}

/** Reads list parameters from query parameters (GET) or a SearchRequest body (POST /.search). */
export function parseListParams(source: Record<string, unknown>, limits: ListLimits): ListParams {
  const filterText = single('filter', source.filter);
  const sortByText = single('sortBy', source.sortBy);
  const sortOrder = single('sortOrder', source.sortOrder);
  if (sortOrder !== undefined && !/^(ascending|descending)$/i.test(sortOrder)) {
    throw invalidValue('"sortOrder" must be "ascending" or "descending"');
  }
  // RFC 7644 §3.4.2.4: startIndex < 1 is 1; a negative count is 0.
  const startIndex = Math.max(1, integer('startIndex', source.startIndex) ?? 1);
  const count = Math.min(limits.maxResults, Math.max(0, integer('count', source.count) ?? limits.defaultCount));

  const params: ListParams = { descending: /^descending$/i.test(sortOrder ?? ''), startIndex, count };
  if (filterText !== undefined && filterText.trim() !== '') params.filter = parseFilter(filterText);
  if (sortByText !== undefined && sortByText.trim() !== '') {
    const sortBy = parseAttrPath(sortByText.trim());
    if (!sortBy) throw invalidValue(`"sortBy" is not an attribute path`);
    params.sortBy = sortBy;
  }
  const attributes = parseAttributeList(source.attributes);
  const excluded = parseAttributeList(source.excludedAttributes, 'excludedAttributes');
  if (attributes) params.attributes = attributes;
  if (excluded) params.excludedAttributes = excluded;
  return params;
}

/** Reads a POST /.search body. */
export function parseSearchRequest(body: unknown, limits: ListLimits): ListParams {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidSyntax('The request body must be a SearchRequest object');
  }
  const record = body as Record<string, unknown>;
  const schemas = record.schemas;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SEARCH_REQUEST_SCHEMA.toLowerCase())) {
    throw invalidSyntax(`A search request must list the schema ${SEARCH_REQUEST_SCHEMA}`);
  }
  const joined = { ...record };
  for (const key of ['attributes', 'excludedAttributes'] as const) {
    const v = record[key];
    if (Array.isArray(v)) {
      if (!v.every((x) => typeof x === 'string')) throw invalidValue(`"${key}" must be a list of strings`);
      joined[key] = v.join(',');
    }
  }
  return parseListParams(joined, limits);
}

export interface ListResponse {
  schemas: [typeof LIST_RESPONSE_SCHEMA];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: unknown[];
}

export function listResponse(resources: unknown[], totalResults: number, startIndex: number): ListResponse {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}
