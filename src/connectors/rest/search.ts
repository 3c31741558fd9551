/**
 * A plugin's native search, page by page in its paging style (none, page/page_size, offset/limit,
 * cursor, next-link), keeping only results whose `match` field equals the value — even when the API
 * filtered already, so a substring filter or an ignored parameter never adopts the wrong person. Each
 * result is seen through the search's read side (where each native field is in a result). Stops at the
 * second match (one is an answer, two are ambiguous) or after `maxPages`; says how many records it saw
 * and how many had no value in the match field, for the adoption decision's log line.
 */
import { badGateway } from '../../scim/errors.js';
import { getNative } from '../../plugins/native-paths.js';
import { renderPath, renderValue } from '../../plugins/templates.js';
import { FIRST_PAGE, nativeIdOf, nextPage, pageRequest, type PagePosition, type Query, type SendPage } from './paging.js';
import type { CompiledSearch } from '../../plugins/types.js';
import { isPlainObject } from '../../scim/validate/json.js';
import type { JsonObject } from '../../store/types.js';

export interface SearchHit {
  nativeId: string;
  /** The record as the API answered it. */
  record: JsonObject;
  /** Its fields by native field name (the read side). */
  view: JsonObject;
}

export interface SearchOutcome {
  hits: SearchHit[];
  /** Records in the answers. */
  seen: number;
  /** Records that had no value in the match field (a read side that does not fit the answers shows here). */
  lacking: number;
}

export async function searchNative(
  search: CompiledSearch,
  value: string,
  baseUrl: string,
  send: SendPage,
): Promise<SearchOutcome> {
  const params = { value };
  const request = { path: renderPath(search.path, params), query: renderValue(search.query ?? {}, params) as Query };
  const body = search.body === undefined ? undefined : renderValue(search.body, params);
  const wanted = search.caseExact ? value : value.toLowerCase();
  const hits: SearchHit[] = [];
  let seen = 0;
  let lacking = 0;
  const outcome = (): SearchOutcome => ({ hits, seen, lacking });

  let at: PagePosition | undefined = FIRST_PAGE;
  for (let page = 0; at !== undefined && page < search.maxPages; page += 1) {
    const { path, query } = pageRequest(search.paging, request, at, baseUrl);
    const res = await send({ method: search.method, path, ...(Object.keys(query).length ? { query } : {}), ...(body === undefined ? {} : { body }) });
    const list = search.results === undefined ? res.body : getNative(res.body, search.results);
    if (!Array.isArray(list)) throw badGateway('The downstream system answered a search with something other than a list');
    for (const item of list) {
      if (!isPlainObject(item)) continue;
      seen += 1;
      const view = search.view(item);
      const field = getNative(view, search.match);
      if (field === undefined || field === null || typeof field === 'object' || field === '') {
        lacking += 1;
        continue;
      }
      const text = search.caseExact ? String(field) : String(field).toLowerCase();
      if (text !== wanted) continue;
      hits.push({ nativeId: nativeIdOf(view, search.id, 'A native search result has no id'), record: item, view });
      if (hits.length > 1) return outcome();
    }
    at = nextPage(search.paging, res.body, list.length, at);
  }
  return outcome();
}
