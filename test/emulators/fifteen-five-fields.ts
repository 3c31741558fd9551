/**
 * 15Five's serializers, as docs/native-apis.md reads them: which user and group fields a write may set,
 * their types, and the Django REST field errors (`{"email": ["..."]}`) a bad write gets. Read-only fields
 * (`id`, `date_joined`) and unknown fields are ignored, as DRF does.
 */
import { isUsDate } from './dates.js';

export type FieldErrors = Record<string, string[]>;
export type Validated = { ok: true; changes: Record<string, unknown> } | { ok: false; errors: FieldErrors };

/** 'create' and 'put' require the required fields; 'patch' (partial) does not. */
export type WriteMode = 'create' | 'put' | 'patch';

export interface Lookups {
  userExists(id: number): boolean;
  /** Case-insensitive; `exceptId` is the user being updated. */
  emailTaken(email: string, exceptId?: number): boolean;
}

type Check = (value: unknown, lookups: Lookups, selfId: number | undefined) => string | undefined;

const REQUIRED = 'This field is required.';

/** One '@', something either side, a dot inside the domain, no spaces: no regex, so no backtracking. */
function looksLikeEmail(value: string): boolean {
  const at = value.indexOf('@');
  if (at < 1 || at !== value.lastIndexOf('@') || value.length > 254 || /\s/.test(value)) return false;
  const domain = value.slice(at + 1);
  const dot = domain.indexOf('.');
  return dot > 0 && !domain.endsWith('.');
}

function text(options: { nullable: boolean; blank: boolean }): Check {
  return (value) => {
    if (value === null) return options.nullable ? undefined : 'This field may not be null.';
    if (typeof value !== 'string') return 'Not a valid string.';
    if (!options.blank && value.trim() === '') return 'This field may not be blank.';
    return undefined;
  };
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'dict';
}

function userReference(value: unknown, lookups: Lookups): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return `Incorrect type. Expected pk value, received ${describeType(value)}.`;
  }
  return lookups.userExists(value) ? undefined : `Invalid pk "${value}" - object does not exist.`;
}

const USER_FIELDS: Record<string, { required: boolean; check: Check }> = {
  email: {
    required: true,
    check: (value, lookups, selfId) => {
      const problem = text({ nullable: false, blank: false })(value, lookups, selfId);
      if (problem !== undefined) return problem;
      const email = value as string;
      if (!looksLikeEmail(email)) return 'Enter a valid email address.';
      return lookups.emailTaken(email, selfId) ? 'user with this email already exists.' : undefined;
    },
  },
  first_name: { required: true, check: text({ nullable: false, blank: false }) },
  last_name: { required: true, check: text({ nullable: false, blank: false }) },
  title: { required: false, check: text({ nullable: true, blank: true }) },
  location: { required: false, check: text({ nullable: true, blank: true }) },
  employee_id: { required: false, check: text({ nullable: true, blank: true }) },
  external_id: { required: false, check: text({ nullable: true, blank: true }) },
  is_active: {
    required: false,
    check: (value) => (typeof value === 'boolean' ? undefined : 'Must be a valid boolean.'),
  },
  reports_to: {
    required: false,
    check: (value, lookups) => (value === null ? undefined : userReference(value, lookups)),
  },
  start_date: {
    required: false,
    check: (value) =>
      value === null || isUsDate(value) ? undefined : 'Date has wrong format. Use one of these formats instead: MM/DD/YYYY.',
  },
};

const GROUP_FIELDS: Record<string, { required: boolean; check: Check }> = {
  name: { required: true, check: text({ nullable: false, blank: false }) },
  external_id: { required: false, check: text({ nullable: true, blank: true }) },
  user_ids: {
    required: false,
    check: (value, lookups) => {
      if (!Array.isArray(value)) return `Expected a list of items but got type "${describeType(value)}".`;
      for (const id of value as unknown[]) {
        const problem = userReference(id, lookups);
        if (problem !== undefined) return problem;
      }
      return undefined;
    },
  },
};

function validate(
  fields: Record<string, { required: boolean; check: Check }>,
  input: unknown,
  mode: WriteMode,
  lookups: Lookups,
  selfId?: number,
): Validated {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    const got = Array.isArray(input) ? 'list' : input === null ? 'NoneType' : describeType(input);
    return { ok: false, errors: { non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`] } };
  }
  const body = input as Record<string, unknown>;
  const errors: FieldErrors = {};
  const changes: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    if (!Object.hasOwn(body, name)) {
      if (field.required && mode !== 'patch') errors[name] = [REQUIRED];
      continue;
    }
    const problem = field.check(body[name], lookups, selfId);
    if (problem !== undefined) errors[name] = [problem];
    else changes[name] = name === 'user_ids' ? [...new Set(body[name] as number[])] : body[name];
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, changes };
}

export function validateUserWrite(input: unknown, mode: WriteMode, lookups: Lookups, selfId?: number): Validated {
  return validate(USER_FIELDS, input, mode, lookups, selfId);
}

export function validateGroupWrite(input: unknown, mode: WriteMode, lookups: Lookups): Validated {
  return validate(GROUP_FIELDS, input, mode, lookups);
}
