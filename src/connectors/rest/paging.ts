/**
 * A plugin's paging styles (none, page/page_size, offset/limit, cursor, next-link) as positions: the
 * request for one page, and where the next one is. Search (adoption) and list (reconcile) page the same
 * way; a list keeps the position between pages so a reconcile can stop and resume.
 */
import { badGateway } from '../../scim/errors.js';
import { getNative } from '../../plugins/native-paths.js';
import type { PagingInput } from '../../plugins/format.js';
import type { JsonObject } from '../../store/types.js';
import type { NativeRequest, NativeResponse } from '../http/types.js';

export type Query = Record<string, string | number | boolean>;

/** Performs one native call of a search or list; throws on anything but 2xx. */
export type SendPage = (req: Pick<NativeRequest, 'method' | 'path' | 'query' | 'body'>) => Promise<NativeResponse>;

/**
 * The native id of a list or search result, at `path` in its view: a string or number (an empty string
 * is no id); anything else is the downstream system's fault, said with `missing`.
 */
export function nativeIdOf(view: JsonObject, path: string, missing: string): string {
  const id = getNative(view, path);
  if (id === undefined || id === null || id === '' || typeof id === 'object') throw badGateway(missing);
  return String(id);
}

/** Where a page is: its number from 0, and the cursor or link the previous page gave. */
export interface PagePosition {
  index: number;
  cursor?: string;
  /** A next-page link as the API gave it; checked against the base URL each time it is followed. */
  link?: string;
}

export const FIRST_PAGE: PagePosition = { index: 0 };

/** The path and query of the page at `at`; `path` and `query` are the operation's own. */
export function pageRequest(paging: PagingInput, request: { path: string; query: Query }, at: PagePosition, baseUrl: string): { path: string; query: Query } {
  if (at.link !== undefined) return followLink(at.link, baseUrl);
  const query: Query = { ...request.query };
  switch (paging.style) {
    case 'page':
      query[paging.page] = paging.first + at.index;
      query[paging.size] = paging.pageSize;
      break;
    case 'offset':
      query[paging.offset] = at.index * paging.pageSize;
      query[paging.limit] = paging.pageSize;
      break;
    case 'cursor':
      if (at.cursor !== undefined) query[paging.cursor] = at.cursor;
      if (paging.size && paging.pageSize) query[paging.size] = paging.pageSize;
      break;
    case 'next-link':
      if (at.index === 0 && paging.size && paging.pageSize) query[paging.size] = paging.pageSize;
      break;
    case 'none':
      break;
  }
  return { path: request.path, query };
}

/** The page after the one at `at` that answered `body` with `count` records; undefined when it was the last. */
export function nextPage(paging: PagingInput, body: unknown, count: number, at: PagePosition): PagePosition | undefined {
  const index = at.index + 1;
  switch (paging.style) {
    case 'none':
      return undefined;
    case 'page':
    case 'offset':
      return count < paging.pageSize ? undefined : { index };
    case 'cursor': {
      const next = getNative(body, paging.next);
      return next === undefined || next === null || next === '' ? undefined : { index, cursor: String(next) };
    }
    case 'next-link': {
      const next = getNative(body, paging.next);
      return typeof next !== 'string' || next === '' ? undefined : { index, link: next };
    }
  }
}

/** A next link as path + query below the base URL; a link elsewhere is refused (it could point anywhere). */
function followLink(link: string, baseUrl: string): { path: string; query: Query } {
  const base = new URL(baseUrl);
  let url: URL;
  try {
    url = new URL(link, base);
  } catch {
    throw badGateway('The downstream system gave an unusable next-page link');
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  if (url.origin !== base.origin || !url.pathname.startsWith(`${basePath}/`)) {
    throw badGateway('The downstream system gave a next-page link outside its API');
  }
  return { path: url.pathname.slice(basePath.length), query: Object.fromEntries(url.searchParams) };
}
