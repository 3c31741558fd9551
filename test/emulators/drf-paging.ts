/**
 * Django REST framework's PageNumberPagination as 15Five serves it: `?page=N&page_size=M` →
 * `{count, next, previous, results}` with absolute next/previous URLs. DRF's rules, reproduced:
 * a page_size that is not a positive integer falls back to the default, one above the maximum is cut to
 * it; a page that is not an integer, or past the last page, is `404 {"detail": "Invalid page."}`.
 */
import type { EmulatorRequest } from './types.js';

/** The reference: "paginated, with a default page size of 100 objects"; guess: page_size above it is cut to it. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 100;

export interface DrfPage<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

function pageSize(raw: string | undefined): number {
  if (raw === undefined || !/^\d{1,9}$/.test(raw)) return DEFAULT_PAGE_SIZE;
  const n = Number(raw);
  if (n < 1) return DEFAULT_PAGE_SIZE;
  return Math.min(n, MAX_PAGE_SIZE);
}

/** DRF rebuilds the query with its keys sorted, `page` replaced or (for page 1) removed. */
function linkTo(req: EmulatorRequest, page: number | undefined): string {
  const params = Object.entries(req.query).filter(([key]) => key !== 'page');
  if (page !== undefined) params.push(['page', String(page)]);
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = new URLSearchParams(params).toString();
  return `${req.origin}${req.path}${query ? `?${query}` : ''}`;
}

/** The page the request asks for, or undefined when DRF would answer "Invalid page.". */
export function paginate<T>(items: readonly T[], req: EmulatorRequest): DrfPage<T> | undefined {
  const size = pageSize(req.query.page_size);
  const pages = Math.max(1, Math.ceil(items.length / size));
  const raw = req.query.page;
  let page: number;
  if (raw === undefined) page = 1;
  else if (raw === 'last') page = pages;
  else if (/^\d{1,9}$/.test(raw)) page = Number(raw);
  else return undefined;
  if (page < 1 || page > pages) return undefined;
  return {
    count: items.length,
    next: page < pages ? linkTo(req, page + 1) : null,
    previous: page > 1 ? linkTo(req, page - 1 === 1 ? undefined : page - 1) : null,
    results: items.slice((page - 1) * size, page * size),
  };
}
