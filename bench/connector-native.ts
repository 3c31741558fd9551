/**
 * The bench's own calls outside the load: to the emulator (native ids, user counts) and to either side
 * for the checks before it. Every call is bounded by a timeout, and anything but 2xx stops the bench.
 */
import { callJson as call } from './cli.js';
import { NATIVE_BASE_PATH } from './connector-scenarios.js';

/** The native headers the plugin sends: the bare key in Authorization, JSON both ways. */
export function nativeHeaders(apiKey: string): Record<string, string> {
  return { authorization: apiKey, accept: 'application/json', 'content-type': 'application/json' };
}

/** How many users the emulator holds (its list scans them all: the count says what a native call costs). */
export async function nativeUserCount(origin: string, headers: Record<string, string>): Promise<number> {
  const page = await call(origin, 'GET', `${NATIVE_BASE_PATH}/user/?page_size=1`, headers);
  if (typeof page.count !== 'number') throw new Error('bench:connector: the emulator answered a list without a count');
  return page.count;
}

/** The native record with this email, found by 15Five's own filter; exactly one must match. */
export async function nativeUserByEmail(origin: string, headers: Record<string, string>, email: string): Promise<Record<string, unknown>> {
  const page = await call(origin, 'GET', `${NATIVE_BASE_PATH}/user/?email=${encodeURIComponent(email)}`, headers);
  const results = Array.isArray(page.results) ? (page.results as Record<string, unknown>[]) : [];
  if (results.length !== 1 || !results[0]) throw new Error(`bench:connector: ${results.length} native users have the email ${email}, not 1`);
  return results[0];
}

/** email → native id of every emulator user, read page by page (100 a page, 15Five's maximum). */
export async function nativeIdsByEmail(origin: string, headers: Record<string, string>): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (let page = 1; ; page += 1) {
    const body = await call(origin, 'GET', `${NATIVE_BASE_PATH}/user/?page_size=100&page=${page}`, headers);
    for (const user of Array.isArray(body.results) ? (body.results as Record<string, unknown>[]) : []) {
      if (typeof user.email === 'string') ids.set(user.email.toLowerCase(), String(user.id));
    }
    if (body.next === null || body.next === undefined) return ids;
  }
}
