/**
 * One request of each benchmarked shape before the load starts: a wrong token, path or body would
 * otherwise be measured as thousands of fast 4xx answers. Against the gateway it also checks that the
 * answers mean what the scenario assumes (the filter finds exactly the user, the PATCH changes the title).
 */
import { SCIM_BASE_PATH, replaceTitleBody, userBody } from './scenarios.js';
import type { Target } from './scenarios.js';
import { callJson as call } from './cli.js';

export async function verifyShapes(origin: string, target: Target, strict: boolean): Promise<void> {
  const userName = target.userNames[0]!;
  const id = target.ids[0]!;
  const filter = encodeURIComponent(`userName eq "${userName}"`);
  const list = await call(origin, 'GET', `${SCIM_BASE_PATH}/Users?filter=${filter}`, target.headers);
  const user = await call(origin, 'GET', `${SCIM_BASE_PATH}/Users/${encodeURIComponent(id)}`, target.headers);
  const patched = await call(origin, 'PATCH', `${SCIM_BASE_PATH}/Users/${encodeURIComponent(id)}`, target.headers, replaceTitleBody('Verified'));
  const created = await call(origin, 'POST', `${SCIM_BASE_PATH}/Users`, target.headers, userBody(`verify-${target.runTag}@example.com`, 0));
  if (!strict) return;

  const problems: string[] = [];
  if (list.totalResults !== 1) problems.push(`filter on ${userName} found ${String(list.totalResults)} users, not 1`);
  if (user.id !== id) problems.push(`GET /Users/${id} answered id ${String(user.id)}`);
  if (patched.title !== 'Verified') problems.push(`PATCH left title ${String(patched.title)}`);
  if (typeof created.id !== 'string') problems.push('POST answered without an id');
  if (problems.length > 0) throw new Error(`verify: ${problems.join('; ')}`);
}
