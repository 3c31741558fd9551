/**
 * The 15Five public API (docs/native-apis.md, "15Five"): `/api/public/user/` and `/group/` with trailing
 * slashes, `Authorization: <key>` (or `Bearer <key>`), integer ids, Django REST paging and field errors.
 * Users cannot be deleted, only deactivated with `is_active: false`.
 */
import { paginate } from './drf-paging.js';
import { validateGroupWrite, validateUserWrite, type Lookups, type Validated, type WriteMode } from './fifteen-five-fields.js';
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
    emailTaken: (email, exceptId) => {
      const folded = email.toLowerCase();
      for (const user of users.values()) {
        if (user.id !== exceptId && String(user.email).toLowerCase() === folded) return true;
      }
      return false;
    },
  };

  const newUser = (id: number): NativeRecord => ({
    id,
    email: null,
    first_name: null,
    last_name: null,
    title: null,
    is_active: true,
    employee_id: null,
    reports_to: null,
    location: null,
    start_date: null,
    external_id: null,
    date_joined: new Date(options.clock()).toISOString(),
  });

  const authenticate = (req: EmulatorRequest): Reply | undefined => {
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === '') return detail(401, 'Authentication credentials were not provided.');
    const key = header.replace(/^Bearer\s+/i, '').trim();
    return key === options.apiKey ? undefined : detail(401, 'Invalid token.');
  };

  /** Validates a write and answers its field errors, or applies it to `target`. */
  const write = (
    req: EmulatorRequest,
    validateWith: (input: unknown) => Validated,
    apply: (changes: Record<string, unknown>) => NativeRecord,
    status: number,
  ): Reply => {
    const body = writeBody(req);
    if (!body.ok) return body.reply;
    const result = validateWith(body.value);
    if (!result.ok) return { status: 400, body: result.errors };
    return { status, body: structuredClone(apply(result.changes)) };
  };

  const listUsers = (req: EmulatorRequest): Reply => {
    const email = req.query.email?.toLowerCase();
    const active = booleanFilter(req.query.is_active);
    const matching = [...users.values()].filter(
      (u) => (!email || String(u.email).toLowerCase() === email) && (active === undefined || u.is_active === active),
    );
    const page = paginate(matching, req);
    return page === undefined ? detail(404, 'Invalid page.') : { status: 200, body: structuredClone(page) };
  };

  const userCollection = (req: EmulatorRequest): Reply => {
    if (req.method === 'GET') return listUsers(req);
    if (req.method !== 'POST') return methodNotAllowed(req.method);
    return write(
      req,
      (input) => validateUserWrite(input, 'create', lookups),
      (changes) => {
        const user = { ...newUser(nextUserId++), ...changes };
        users.set(user.id as number, user);
        return user;
      },
      201,
    );
  };

  const userItem = (req: EmulatorRequest, id: number): Reply => {
    const user = users.get(id);
    if (user === undefined) return NOT_FOUND;
    if (req.method === 'GET') return { status: 200, body: structuredClone(user) };
    if (req.method !== 'PUT' && req.method !== 'PATCH') return methodNotAllowed(req.method);
    const mode: WriteMode = req.method === 'PUT' ? 'put' : 'patch';
    return write(req, (input) => validateUserWrite(input, mode, lookups, id), (changes) => Object.assign(user, changes), 200);
  };

  const groupCollection = (req: EmulatorRequest): Reply => {
    if (req.method === 'GET') {
      const page = paginate([...groups.values()], req);
      return page === undefined ? detail(404, 'Invalid page.') : { status: 200, body: structuredClone(page) };
    }
    if (req.method !== 'POST') return methodNotAllowed(req.method);
    return write(
      req,
      (input) => validateGroupWrite(input, 'create', lookups),
      (changes) => {
        const group = { id: nextGroupId++, name: null, external_id: null, user_ids: [], ...changes };
        groups.set(group.id, group);
        return group;
      },
      201,
    );
  };

  const groupItem = (req: EmulatorRequest, id: number): Reply => {
    const group = groups.get(id);
    if (group === undefined) return NOT_FOUND;
    if (req.method === 'GET') return { status: 200, body: structuredClone(group) };
    if (req.method === 'DELETE') {
      groups.delete(id);
      return { status: 204 };
    }
    if (req.method !== 'PATCH') return methodNotAllowed(req.method);
    return write(req, (input) => validateGroupWrite(input, 'patch', lookups), (changes) => Object.assign(group, changes), 200);
  };

  /** Django resolves the URL before the view authenticates: an unknown path is 404 even without a key. */
  const route = (path: string): ((req: EmulatorRequest) => Reply) | undefined => {
    if (!path.startsWith(`${FIFTEEN_FIVE_BASE_PATH}/`)) return undefined;
    const rest = path.slice(FIFTEEN_FIVE_BASE_PATH.length);
    if (rest === '/user/') return userCollection;
    if (rest === '/group/') return groupCollection;
    const item = /^\/(user|group)\/(\d{1,15})\/$/.exec(rest);
    if (item === null) return undefined;
    const id = Number(item[2]);
    return item[1] === 'user' ? (req) => userItem(req, id) : (req) => groupItem(req, id);
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
    reset() {
      users = new Map();
      groups = new Map();
      nextUserId = 1;
      nextGroupId = 1;
    },
  };
}
