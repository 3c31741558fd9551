/**
 * HiBob person fields: what a create or update may set, their checks, and the field paths
 * (`root.email`, `work.title`, ...) that search filters and projections address.
 */
import { isIsoDate } from './dates.js';

export type Person = Record<string, unknown> & { id: string; work: Record<string, unknown> };

export type Checked = { ok: true; top: Record<string, unknown>; work: Record<string, unknown> } | { ok: false; error: string };

/** The paths search understands, and where each lives in a person. */
export const FIELD_PATHS: Record<string, readonly string[]> = {
  'root.id': ['id'],
  'root.email': ['email'],
  'root.firstName': ['firstName'],
  'root.surname': ['surname'],
  'root.displayName': ['displayName'],
  'root.state': ['state'],
  'work.title': ['work', 'title'],
  'work.site': ['work', 'site'],
  'work.startDate': ['work', 'startDate'],
  'work.reportsTo.id': ['work', 'reportsTo', 'id'],
};

export function readPath(person: Person, path: readonly string[]): unknown {
  let node: unknown = person;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function looksLikeEmail(value: string): boolean {
  const at = value.indexOf('@');
  return at > 0 && at === value.lastIndexOf('@') && value.slice(at + 1).includes('.') && !/\s/.test(value);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a create (`creating`) or an update body. Unknown fields are ignored. `personExists` resolves
 * `work.reportsTo.id`. Email uniqueness (409) is the caller's: it needs the whole population.
 */
export function checkPersonWrite(input: unknown, creating: boolean, personExists: (id: string) => boolean): Checked {
  if (!isObject(input)) return { ok: false, error: 'Request body must be a JSON object' };
  const top: Record<string, unknown> = {};
  for (const name of ['firstName', 'surname', 'email'] as const) {
    if (!Object.hasOwn(input, name)) {
      if (creating) return { ok: false, error: `Missing required field: ${name}` };
      continue;
    }
    const value = input[name];
    if (typeof value !== 'string' || value.trim() === '') return { ok: false, error: `Field ${name} must be a non-empty string` };
    if (name === 'email' && !looksLikeEmail(value)) return { ok: false, error: 'Field email must be an email address' };
    top[name] = value;
  }
  const work: Record<string, unknown> = {};
  if (Object.hasOwn(input, 'work')) {
    const given = input.work;
    if (!isObject(given)) return { ok: false, error: 'Field work must be an object' };
    for (const name of ['title', 'site'] as const) {
      if (!Object.hasOwn(given, name)) continue;
      if (given[name] !== null && typeof given[name] !== 'string') return { ok: false, error: `Field work.${name} must be a string` };
      work[name] = given[name];
    }
    if (Object.hasOwn(given, 'startDate')) {
      if (given.startDate !== null && !isIsoDate(given.startDate)) {
        return { ok: false, error: 'Field work.startDate must be a date in YYYY-MM-DD format' };
      }
      work.startDate = given.startDate;
    }
    if (Object.hasOwn(given, 'reportsTo')) {
      const manager = given.reportsTo;
      if (manager === null) work.reportsTo = null;
      else if (isObject(manager) && typeof manager.id === 'string' && personExists(manager.id)) work.reportsTo = { id: manager.id };
      else return { ok: false, error: 'Field work.reportsTo.id must be the id of an existing employee' };
    }
  }
  return { ok: true, top, work };
}
