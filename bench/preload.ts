/**
 * Fills the gateway with users over its own SCIM API before anything is measured, so reads and PATCHes
 * hit a store of realistic size rather than an empty table. Bounded: a fixed count, a fixed number of
 * workers, and the first failure stops everything.
 */
import { SCIM_BASE_PATH, preloadUserName, userBody } from './scenarios.js';

export interface PreloadResult {
  userNames: string[];
  ids: string[];
  seconds: number;
}

export async function preloadUsers(
  origin: string,
  headers: Record<string, string>,
  count: number,
  concurrency: number,
  basePath: string = SCIM_BASE_PATH,
): Promise<PreloadResult> {
  const userNames = Array.from({ length: count }, (_, i) => preloadUserName(i));
  const ids = new Array<string>(count);
  let next = 0;
  let failure: Error | undefined;
  const started = performance.now();

  async function worker(): Promise<void> {
    try {
      await createUsers();
    } catch (error) {
      // The other workers see `failure` and stop after their request in flight.
      failure ??= error instanceof Error ? error : new Error(String(error));
    }
  }

  async function createUsers(): Promise<void> {
    while (failure === undefined && next < count) {
      const index = next;
      next += 1;
      const userName = userNames[index]!;
      const res = await fetch(`${origin}${basePath}/Users`, {
        method: 'POST',
        headers,
        body: JSON.stringify(userBody(userName, index)),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      if (res.status !== 201) {
        failure ??= new Error(`preload: POST ${userName} answered ${res.status}: ${text.slice(0, 500)}`);
        return;
      }
      const id = (JSON.parse(text) as { id?: unknown }).id;
      if (typeof id !== 'string' || id === '') {
        failure ??= new Error(`preload: POST ${userName} answered 201 without an id: ${text.slice(0, 500)}`);
        return;
      }
      ids[index] = id;
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, () => worker()));
  if (failure) throw failure;
  return { userNames, ids, seconds: (performance.now() - started) / 1000 };
}
