/**
 * 15Five's user writes as its public API reference documents them (docs/native-apis.md, "15Five"): which
 * fields `POST /user/bulk/` and `PUT /user/{id}/` take, their types, and the Django REST field errors
 * (`{"email": ["..."]}`) a bad write gets. Unknown and read-only fields are ignored, as DRF does. Where the
 * reference is silent (error wording, what a bulk item must carry to create a user) the choice is marked
 * "guess" and is listed in test/emulators/README.md.
 */
import { isUsDate } from './dates.js';

export type FieldErrors = Record<string, string[]>;
export type Validated = { ok: true; changes: Record<string, unknown> } | { ok: false; errors: FieldErrors };

export interface Lookups {
  userExists(id: number): boolean;
  groupExists(id: number): boolean;
  /** Case-insensitive; `exceptId` is the user being updated. */
  emailTaken(email: string, exceptId?: number): boolean;
}

type Check = (value: unknown, lookups: Lookups, selfId: number | undefined) => { value: unknown } | { error: string };

/** One '@', something either side, a dot inside the domain, no spaces: no regex, so no backtracking. */
function looksLikeEmail(value: string): boolean {
  const at = value.indexOf('@');
  if (at < 1 || at !== value.lastIndexOf('@') || value.length > 254 || /\s/.test(value)) return false;
  const domain = value.slice(at + 1);
  const dot = domain.indexOf('.');
  return dot > 0 && !domain.endsWith('.');
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return value === null ? 'NoneType' : 'dict';
}

const text =
  (options: { nullable: boolean; blank: boolean }): Check =>
  (value) => {
    if (value === null) return options.nullable ? { value } : { error: 'This field may not be null.' };
    if (typeof value !== 'string') return { error: 'Not a valid string.' };
    if (!options.blank && value.trim() === '') return { error: 'This field may not be blank.' };
    return { value };
  };

const email: Check = (value, lookups, selfId) => {
  const checked = text({ nullable: false, blank: false })(value, lookups, selfId);
  if ('error' in checked) return checked;
  if (!looksLikeEmail(value as string)) return { error: 'Enter a valid email address.' };
  return lookups.emailTaken(value as string, selfId) ? { error: 'user with this email already exists.' } : { value };
};

const boolean: Check = (value) => (typeof value === 'boolean' ? { value } : { error: 'Must be a valid boolean.' });

/** `reviewer_id`: the manager's user id; the PUT reference: "(0, null) will remove reviewer from user". */
const reviewer: Check = (value, lookups, selfId) => {
  if (value === null || value === 0) return { value: null };
  if (typeof value !== 'number' || !Number.isInteger(value)) return { error: `Incorrect type. Expected pk value, received ${describeType(value)}.` };
  if (value === selfId) return { error: 'A user cannot review themselves.' }; // guess: wording
  return lookups.userExists(value) ? { value } : { error: `Invalid pk "${value}" - object does not exist.` };
};

/**
 * `start_date_ts` / `hire_date_ts`: "User's start date in timestamp", typed String. Guess: seconds since the
 * epoch (digits, as a string or a number), kept as the calendar day it falls on in UTC.
 */
const timestamp: Check = (value) => {
  if (value === null || value === '') return { value: null };
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,12}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(seconds)) return { error: 'Enter a valid timestamp.' };
  const d = new Date(seconds * 1000);
  const us = `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${d.getUTCFullYear()}`;
  return isUsDate(us) ? { value: us } : { error: 'Enter a valid timestamp.' };
};

/** A list of existing group ids (`company_groups_ids`, the bulk's `group_ids`): the whole list, [] leaves every group. */
const groupIds: Check = (value, lookups) => {
  if (!Array.isArray(value)) return { error: `Expected a list of items but got type "${describeType(value)}".` };
  for (const id of value as unknown[]) {
    if (typeof id !== 'number' || !Number.isInteger(id)) return { error: `Incorrect type. Expected pk value, received ${describeType(id)}.` };
    if (!lookups.groupExists(id)) return { error: `Invalid pk "${id}" - object does not exist.` };
  }
  return { value: [...new Set(value as number[])] };
};

/** Field → (check, where the value is kept in the user record). */
type Fields = Record<string, { check: Check; keep: string }>;

const SHARED: Fields = {
  email: { check: email, keep: 'email' },
  first_name: { check: text({ nullable: false, blank: false }), keep: 'first_name' },
  last_name: { check: text({ nullable: false, blank: false }), keep: 'last_name' },
  title: { check: text({ nullable: true, blank: true }), keep: 'title' },
  employee_id: { check: text({ nullable: true, blank: true }), keep: 'employee_id' },
  location: { check: text({ nullable: true, blank: true }), keep: 'location' },
  is_active: { check: boolean, keep: 'is_active' },
  reviewer_id: { check: reviewer, keep: 'reviewer_id' },
};

/** `PUT /user/{id}/`: every field optional (a partial body is fine), as the reference lists them. */
const PUT_FIELDS: Fields = {
  ...SHARED,
  start_date_ts: { check: timestamp, keep: 'start_date' },
  hire_date_ts: { check: timestamp, keep: 'hire_date' },
  company_groups_ids: { check: groupIds, keep: 'company_groups_ids' },
  phone: { check: (v) => (v === null || (typeof v === 'string' && /^1\d{10}$/.test(v)) ? { value: v } : { error: 'Enter a valid US phone number: 1 and 10 digits.' }), keep: 'phone' },
};

/** One item of `POST /user/bulk/`. `termination_date`, `time_zone`, `job_description` and the invite are taken, not kept. */
const BULK_FIELDS: Fields = {
  ...SHARED,
  group_ids: { check: groupIds, keep: 'company_groups_ids' },
  termination_date: { check: text({ nullable: true, blank: true }), keep: '' },
  time_zone: { check: text({ nullable: true, blank: true }), keep: '' },
  job_description: { check: text({ nullable: true, blank: true }), keep: '' },
  send_welcome_from_user_id: { check: text({ nullable: true, blank: true }), keep: '' },
};

function validate(fields: Fields, input: unknown, lookups: Lookups, selfId: number | undefined): Validated {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: { non_field_errors: [`Invalid data. Expected a dictionary, but got ${describeType(input)}.`] } };
  }
  const body = input as Record<string, unknown>;
  const errors: FieldErrors = {};
  const changes: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    if (!Object.hasOwn(body, name)) continue;
    const checked = field.check(body[name], lookups, selfId);
    if ('error' in checked) errors[name] = [checked.error];
    else if (field.keep !== '') changes[field.keep] = checked.value;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, changes };
}

export function validateUserUpdate(input: unknown, lookups: Lookups, selfId: number): Validated {
  return validate(PUT_FIELDS, input, lookups, selfId);
}

/**
 * One bulk item for the user `existing` (the one with its email) or a new one. Guess: creating needs an
 * email (the CSV import's one required field) and both names (the app shows no nameless people).
 */
export function validateBulkItem(input: unknown, lookups: Lookups, existing: number | undefined): Validated {
  const result = validate(BULK_FIELDS, input, lookups, existing);
  if (!result.ok || existing !== undefined) return result;
  const missing = ['email', 'first_name', 'last_name'].filter((f) => !Object.hasOwn(result.changes, f));
  if (missing.length === 0) return result;
  return { ok: false, errors: Object.fromEntries(missing.map((f) => [f, ['This field is required.']])) };
}
