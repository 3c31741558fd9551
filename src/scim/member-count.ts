/**
 * How many group members one request carries, read from the raw body before any other work: a POST or PUT
 * body's `members`, and in a PATCH every operation on `members` (a value list counts each element, a
 * `members[value eq "…"]` path counts one) and every `members` inside a path-less value. Names match
 * ignoring case (RFC 7644 §3.10), with or without the core Group URN. Malformed bodies count what they
 * can; the parser that runs afterwards says what is wrong with them.
 */
import { invalidValue } from './errors.js';
import { getAttr, isObject } from './patch/json.js';
import { GROUP_SCHEMA } from './schemas/core.js';

const QUALIFIED_PREFIX = `${GROUP_SCHEMA}:`.toLowerCase();

/** `members`, `members[...]`, `members.value`, each optionally URN-qualified. */
function namesMembers(path: string): boolean {
  let p = path.trim().toLowerCase();
  if (p.startsWith(QUALIFIED_PREFIX)) p = p.slice(QUALIFIED_PREFIX.length);
  return p === 'members' || p.startsWith('members[') || p.startsWith('members.');
}

const countOf = (value: unknown): number => (Array.isArray(value) ? value.length : value === undefined || value === null ? 0 : 1);

/** The members under a `members` key of an object, in either spelling of the key. */
function membersIn(obj: Record<string, unknown>): number {
  let n = 0;
  for (const key of Object.keys(obj)) if (namesMembers(key) && !key.includes('[')) n += countOf(obj[key]);
  return n;
}

export function countMembers(body: unknown, request: 'resource' | 'patch'): number {
  if (!isObject(body)) return 0;
  if (request === 'resource') return membersIn(body);
  const operations = getAttr(body, 'Operations');
  if (!Array.isArray(operations)) return 0;
  let n = 0;
  for (const op of operations) {
    if (!isObject(op)) continue;
    const path = getAttr(op, 'path');
    const value = getAttr(op, 'value');
    if (typeof path === 'string' && path.trim() !== '') {
      if (namesMembers(path)) n += Math.max(1, countOf(value));
    } else if (isObject(value)) {
      n += membersIn(value);
    }
  }
  return n;
}

/**
 * Refuses a request that carries more than `max` members (server.maxMembersPerRequest). invalidValue, not
 * tooMany: RFC 7644 §3.12 gives tooMany to a filter that yields too many results (GET and .search only);
 * invalidValue is the one for POST, PUT and PATCH, "not compatible with the operation". Not 413 either:
 * the body may well be within the size limit.
 */
export function limitMembers(body: unknown, request: 'resource' | 'patch', max: number): void {
  const n = countMembers(body, request);
  if (n > max) {
    throw invalidValue(`The request carries ${n} group members; at most ${max} are accepted in one request: send them in several`);
  }
}
