/**
 * Native URLs: a fixed base and a plugin-rendered path that must stay below it. The path's parameters
 * come from clients (ids, emails), so a path that could climb out of the base — dot segments, a second
 * authority, a scheme, characters a URL parser would reinterpret — is refused as a plugin bug.
 */
import type { NativeRequest } from './types.js';

/** RFC 3986 path characters: unreserved, sub-delims, ':' '@' '/' and complete percent-escapes. */
const RFC3986_PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;
const LEADING_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** '.', '..' and their percent-encoded spellings, which WHATWG URL parsing also resolves. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/** Checks a configured base URL once, at client creation (an operator error, not a client one). */
export function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError('native client: baseUrl is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('native client: baseUrl must be http(s)');
  if (url.username !== '' || url.password !== '') throw new TypeError('native client: credentials belong in auth, not in baseUrl');
  if (url.search !== '' || url.hash !== '') throw new TypeError('native client: baseUrl must not carry a query or fragment');
  return url;
}

/** Throws TypeError when `path` could leave the base URL or is not a plain RFC 3986 path. */
export function assertSafePath(path: string): void {
  if (!RFC3986_PATH.test(path)) throw new TypeError('native path contains characters outside RFC 3986 or a broken percent-escape');
  if (LEADING_SCHEME.test(path)) throw new TypeError('native path must not start with a scheme');
  if (path.startsWith('//') || path.slice(1).includes('//')) throw new TypeError('native path must not contain an empty segment');
  for (const segment of path.split('/')) {
    if (DOT_SEGMENT.test(segment)) throw new TypeError('native path must not contain dot segments');
  }
}

/** base + path + query; the result is checked again to be below the base (defence in depth). */
export function buildUrl(base: URL, path: string, query?: NativeRequest['query']): URL {
  assertSafePath(path);
  const basePath = base.pathname.replace(/\/+$/, '');
  const relative = path.replace(/^\//, '');
  const url = new URL(`${base.origin}${basePath}${relative === '' ? '' : `/${relative}`}`);
  if (url.origin !== base.origin || !(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`))) {
    throw new TypeError('native path resolves outside the base URL');
  }
  if (query !== undefined) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) params.append(name, String(value));
    }
    const search = params.toString();
    if (search !== '') url.search = search;
  }
  return url;
}
