/**
 * The 15Five public API as its reference documents it (docs/native-apis.md, "15Five"): users created or
 * updated in bulk (`POST /api/public/user/bulk/`, an array), read (`GET /user/`, `GET /user/{id}/`) and
 * updated (`PUT`/`PATCH /user/{id}/`: `reviewer_id`, `start_date_ts`, `company_groups_ids` the whole list);
 * groups only read (`GET /group/`). What the reference does not offer is refused as Django would: a known
 * path with another method is 405 (`POST /user/`, `POST /group/`, `DELETE /user/{id}/`), an unknown one
 * 404 before authentication. `Authorization: <key>` (or `Bearer <key>`), Django REST paging.
 */
import { paginate } from './drf-paging.js';
import { validateBulkItem, validateUserUpdate, type FieldErrors, type Lookups } from './fifteen-five-fields.js';
import type { EmulatorRequest, NativeApi, Reply } from './types.js';

export const FIFTEEN_FIVE_BASE_PATH = '/api/public';

type NativeRecord = Record<string, unknown>;

const NOT_FOUND: Reply = { status: 404, body: { detail: 'Not found.' } };

function detail(status: number, message: string, retryAfterSeconds?: number): Reply {
  const headers = retryAfterSeconds === undefined ? undefined : { 'retry-after': String(retryAfterSeconds) };
  return { status, headers, body: { detail: message } };
}

function methodNotAllowed(method: string): Reply {
  return detail(405, `Method "${method}" not allowed.`);
}

/** django-filter's BooleanWidget: anything else leaves the filter off rather than failing. */
function booleanFilter(raw: string | undefined): boolean | undefined {
  const value = raw?.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return undefined;
}

/** The JSON body of a write, or the DRF error for a body it cannot parse. */
function writeBody(req: EmulatorRequest): { ok: true; value: unknown } | { ok: false; reply: Reply } {
  switch (req.body.kind) {
    case 'none':
      return { ok: true, value: {} };
    case 'json':
      return { ok: true, value: req.body.value };
    case 'invalid-json':
      return { ok: false, reply: detail(400, 'JSON parse error - Expecting value') };
    case 'other':
      return { ok: false, reply: detail(415, `Unsupported media type "${req.body.contentType}" in request.`) };
  }
}

export function createFifteenFive(options: { apiKey: string; clock: () => number }): NativeApi {
  let users = new Map<number, NativeRecord>();
  let groups = new Map<number, NativeRecord>();
  let nextUserId = 1;
  let nextGroupId = 1;

  const lookups: Lookups = {
    userExists: (id) => users.has(id),
    groupExists: (id) => groups.has(id),
    emailTaken: (email, exceptId) => {
      const user = userByEmail(email);
      return user !== undefined && user.id !== exceptId;
    },
  };

  function userByEmail(email: string): NativeRecord | undefined {
    const folded = email.toLowerCase();
    for (const user of users.values()) if (String(user.email).toLowerCase() === folded) return user;
    return undefined;
  }

  const stamp = () => new Date(options.clock()).toISOString();

  /** A user as the API answers it (guess: the reference documents the writes, not this shape). */
  const newUser = (id: number): NativeRecord => ({
    id,
    email: null,
    first_name: null,
    last_name: null,
    title: null,
    is_active: true,
    employee_id: null,
    location: null,
    reviewer_id: null,
    start_date: null,
    hire_date: null,
    phone: null,
    company_groups_ids: [],
    create_ts: stamp(),
    update_ts: stamp(),
  });

  const authenticate = (req: EmulatorRequest): Reply | undefined => {
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === '') return detail(401, 'Authentication credentials were not provided.');
    const key = header.replace(/^Bearer\s+/i, '').trim();
    return key === options.apiKey ? undefined : detail(401, 'Invalid token.');
  };

  const listUsers = (req: EmulatorRequest): Reply => {
    const email = req.query.email?.toLowerCase();
    const employeeId = req.query.employee_id;
    const active = booleanFilter(req.query.is_active);
    const matching = [...users.values()].filter(
      (u) =>
        (!email || String(u.email).toLowerCase() === email) &&
        (!employeeId || u.employee_id === employeeId) &&
        (active === undefined || u.is_active === active),
    );
    const page = paginate(matching, req);
    return page === undefined ? detail(404, 'Invalid page.') : { status: 200, body: structuredClone(page) };
  };

  /**
   * Creates or updates each item by its email, all or nothing. Guess: a valid request answers 200 with the
   * users in the order sent; an invalid one 400 with one error object per item (DRF's list serializer).
   */
  const bulk = (req: EmulatorRequest): Reply => {
    if (req.method !== 'POST') return methodNotAllowed(req.method);
    const body = writeBody(req);
    if (!body.ok) return body.reply;
    if (!Array.isArray(body.value)) return { status: 400, body: { non_field_errors: ['Expected a list of items but got type "dict".'] } };
    const items = body.value as unknown[];
    const plans: { target: number | undefined; changes: Record<string, unknown> }[] = [];
    const errors: FieldErrors[] = [];
    for (const item of items) {
      const email = typeof item === 'object' && item !== null ? (item as NativeRecord).email : undefined;
      const target = typeof email === 'string' ? (userByEmail(email)?.id as number | undefined) : undefined;
      const result = validateBulkItem(item, lookups, target);
      errors.push(result.ok ? {} : result.errors);
      if (result.ok) plans.push({ target, changes: result.changes });
    }
    if (errors.some((e) => Object.keys(e).length > 0)) return { status: 400, body: errors };
    const answered = plans.map(({ target, changes }) => {
      const user = target === undefined ? newUser(nextUserId++) : users.get(target)!;
      Object.assign(user, changes, { update_ts: stamp() });
      users.set(user.id as number, user);
      return structuredClone(user);
    });
    return { status: 200, body: answered };
  };

  const userItem = (req: EmulatorRequest, id: number): Reply => {
    const user = users.get(id);
    if (req.method !== 'GET' && req.method !== 'PUT' && req.method !== 'PATCH') return methodNotAllowed(req.method);
    if (user === undefined) return NOT_FOUND;
    if (req.method === 'GET') return { status: 200, body: structuredClone(user) };
    const body = writeBody(req);
    if (!body.ok) return body.reply;
    const result = validateUserUpdate(body.value, lookups, id);
    if (!result.ok) return { status: 400, body: result.errors };
    Object.assign(user, result.changes, { update_ts: stamp() });
    return { status: 200, body: structuredClone(user) };
  };

  const groupCollection = (req: EmulatorRequest): Reply => {
    if (req.method !== 'GET') return methodNotAllowed(req.method);
    const page = paginate([...groups.values()], req);
    return page === undefined ? detail(404, 'Invalid page.') : { status: 200, body: structuredClone(page) };
  };

  /** Django resolves the URL before the view authenticates: an unknown path is 404 even without a key. */
  const route = (path: string): ((req: EmulatorRequest) => Reply) | undefined => {
    if (!path.startsWith(`${FIFTEEN_FIVE_BASE_PATH}/`)) return undefined;
    const rest = path.slice(FIFTEEN_FIVE_BASE_PATH.length);
    if (rest === '/user/') return (req) => (req.method === 'GET' ? listUsers(req) : methodNotAllowed(req.method));
    if (rest === '/user/bulk/') return bulk;
    if (rest === '/group/') return groupCollection;
    const item = /^\/user\/(\d{1,15})\/$/.exec(rest);
    if (item === null) return undefined;
    const id = Number(item[1]);
    return (req) => userItem(req, id);
  };

  return {
    handle(req) {
      const handler = route(req.path);
      if (handler === undefined) return NOT_FOUND;
      return authenticate(req) ?? handler(req);
    },
    error(status, message, retryAfterSeconds) {
      if (status === 429) {
        const seconds = retryAfterSeconds ?? 1;
        return detail(429, `Request was throttled. Expected available in ${seconds} seconds.`, seconds);
      }
      return detail(status, message, retryAfterSeconds);
    },
    users: () => structuredClone([...users.values()]),
    groups: () => structuredClone([...groups.values()]),
    seedUser(fields) {
      const id = fields.id ?? nextUserId;
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || users.has(id)) {
        throw new TypeError(`seedUser: id must be a new positive integer, got ${String(id)}`);
      }
      nextUserId = Math.max(nextUserId, id + 1);
      const user = { ...newUser(id), ...fields, id };
      users.set(id, user);
      return structuredClone(user);
    },
    // Groups exist only as seeded: the public API cannot create them.
    seedGroup(fields) {
      const id = fields.id ?? nextGroupId;
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || groups.has(id)) {
        throw new TypeError(`seedGroup: id must be a new positive integer, got ${String(id)}`);
      }
      nextGroupId = Math.max(nextGroupId, id + 1);
      // Guess: the reference lists the endpoint, not the group's fields.
      const group = { id, name: null, ...fields };
      groups.set(id, group);
      return structuredClone(group);
    },
    reset() {
      users = new Map();
      groups = new Map();
      nextUserId = 1;
      nextGroupId = 1;
    },
  };
}
