/**
 * A plugin's `list` operation: one page of every native record, unfiltered, seen through the list's read
 * side, with where the next page is and (when the answer says) how many records there are in all.
 */
import { badGateway } from '../../scim/errors.js';
import { getNative } from '../../plugins/native-paths.js';
import { renderPath, renderValue } from '../../plugins/templates.js';
import type { CompiledList } from '../../plugins/types.js';
import { isPlainObject } from '../../scim/validate/json.js';
import { nativeIdOf, nextPage, pageRequest, type PagePosition, type Query, type SendPage } from './paging.js';
import type { SearchHit } from './search.js';

export interface ListedPage {
  hits: SearchHit[];
  next?: PagePosition;
  total?: number;
}

export async function listNativePage(
  list: CompiledList,
  at: PagePosition,
  baseUrl: string,
  send: SendPage,
): Promise<ListedPage> {
  const request = { path: renderPath(list.path, {}), query: renderValue(list.query ?? {}, {}) as Query };
  const { path, query } = pageRequest(list.paging, request, at, baseUrl);
  const body = list.body === undefined ? undefined : renderValue(list.body, {});
  const res = await send({ method: list.method, path, ...(Object.keys(query).length ? { query } : {}), ...(body === undefined ? {} : { body }) });
  const records = list.results === undefined ? res.body : getNative(res.body, list.results);
  if (!Array.isArray(records)) throw badGateway('The downstream system answered a list with something other than a list');
  const hits = records.filter(isPlainObject).map((record): SearchHit => {
    const view = list.view(record);
    return { nativeId: nativeIdOf(view, list.id, 'A native record in a list has no id'), record, view };
  });
  const page: ListedPage = { hits };
  const next = nextPage(list.paging, res.body, records.length, at);
  if (next) page.next = next;
  const total = list.total === undefined ? undefined : getNative(res.body, list.total);
  if (typeof total === 'number' && Number.isInteger(total) && total >= 0) page.total = total;
  return page;
}
