/**
 * Personio's v1 API (docs/native-apis.md, "Personio", from Personio's published OpenAPI files): a token
 * from `POST /v1/auth` (credentials as JSON, the token at `data.token`, `data.expires_in` seconds), sent as
 * a bearer token; a stale or unknown one is 403, none 401. Employees are written as `{"employee": {...}}`
 * and read wrapped (`data[].attributes.email.value`), a single read wrapped again (`{"success", "data"}`);
 * a write names departments and offices that must exist, or they are ignored with a `meta` note; email
 * cannot be updated; four statuses; no delete.
 */
import { checkEmployeeWrite, KNOWN, wrapEmployee, type Employee } from './personio-fields.js';
import type { EmulatorRequest, NativeApi, Reply } from './types.js';

export const PERSONIO_BASE_PATH = '/v1';
/** The lifetime the reference's example gives a token. */
const TOKEN_SECONDS = 86_400;

function failure(status: number, message: string, retryAfterSeconds?: number): Reply {
  const headers = retryAfterSeconds === undefined ? undefined : { 'retry-after': String(retryAfterSeconds) };
  return { status, headers, body: { success: false, error: { code: status, message } } };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function createPersonio(options: { clientId: string; clientSecret: string; clock: () => number }): NativeApi {
  let employees = new Map<number, Employee>();
  let nextId = 1;
  /** token → expiry (ms on the clock). */
  let tokens = new Map<string, number>();
  let issued = 0;

  const stamp = () => new Date(options.clock()).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const today = () => new Date(options.clock()).toISOString().slice(0, 10);
  const lookups = {
    employeeExists: (id: number) => employees.has(id),
    emailTaken: (email: string) => [...employees.values()].some((e) => String(e.email).toLowerCase() === email.toLowerCase()),
  };
  const idOfName = (kind: keyof typeof KNOWN, name: string) => 1000 * (Object.keys(KNOWN).indexOf(kind) + 1) + (KNOWN[kind] as readonly string[]).indexOf(name) + 1;
  const wrap = (e: Employee) => wrapEmployee(e, idOfName);

  const blank = (id: number): Employee => ({
    id,
    first_name: null,
    last_name: null,
    preferred_name: null,
    email: null,
    gender: null,
    status: 'active',
    position: null,
    supervisor_id: null,
    hire_date: null,
    weekly_working_hours: null,
    department: null,
    office: null,
    subcompany: null,
    created_at: stamp(),
    last_modified_at: stamp(),
  });

  const auth = (req: EmulatorRequest): Reply => {
    if (req.method !== 'POST') return failure(405, 'Method not allowed');
    // The reference takes the credentials as JSON or as a form; the emulator takes JSON.
    const body = req.body.kind === 'json' ? req.body.value : undefined;
    if (!isObject(body) || body.client_id !== options.clientId || body.client_secret !== options.clientSecret) {
      return failure(401, 'Wrong credentials'); // guess: status and wording
    }
    const token = `papi-emulator-${(issued += 1)}-${options.clock()}`;
    tokens.set(token, options.clock() + TOKEN_SECONDS * 1000);
    return { status: 200, body: { success: true, data: { token, expires_in: TOKEN_SECONDS, scope: 'employees:read employees:write' } } };
  };

  const authenticate = (req: EmulatorRequest): Reply | undefined => {
    const header = req.headers.authorization?.trim();
    if (!header) return failure(401, 'Authorization is not provided');
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const expires = token === undefined ? undefined : tokens.get(token);
    if (expires === undefined || expires <= options.clock()) return failure(403, 'Provided authorization is not valid');
    return undefined;
  };

  const jsonBody = (req: EmulatorRequest): unknown => (req.body.kind === 'json' ? req.body.value : undefined);

  /**
   * `limit` (default 50, at most 100) and `offset` (the starting position) as the pagination guide says
   * [P5, docs/native-apis.md] (guess: a larger limit is cut to 100 rather than refused); `email` finds one.
   */
  const list = (req: EmulatorRequest): Reply => {
    const email = req.query.email?.toLowerCase();
    const limit = /^\d{1,4}$/.test(req.query.limit ?? '') && Number(req.query.limit) >= 1 ? Math.min(Number(req.query.limit), 100) : 50;
    const offset = /^\d{1,9}$/.test(req.query.offset ?? '') ? Number(req.query.offset) : 0;
    const matching = [...employees.values()].filter((e) => !email || String(e.email).toLowerCase() === email);
    const page = matching.slice(offset, offset + limit);
    return {
      status: 200,
      body: {
        success: true,
        metadata: { total_elements: matching.length, current_page: Math.floor(offset / limit), total_pages: Math.max(1, Math.ceil(matching.length / limit)) },
        offset,
        limit,
        data: page.map(wrap),
      },
    };
  };

  const create = (req: EmulatorRequest): Reply => {
    const checked = checkEmployeeWrite(jsonBody(req), true, lookups);
    if (!checked.ok) return failure(422, checked.message);
    const employee = { ...blank(nextId++), ...checked.changes };
    // The reference: without a status it follows the hire date — onboarding when it is in the future.
    if (!Object.hasOwn(checked.changes, 'status')) employee.status = typeof employee.hire_date === 'string' && employee.hire_date > today() ? 'onboarding' : 'active';
    employees.set(employee.id, employee);
    return { status: 200, body: { success: true, data: { id: employee.id, message: 'success' }, ...(checked.meta.length ? { meta: checked.meta } : {}) } };
  };

  const update = (req: EmulatorRequest, employee: Employee): Reply => {
    const checked = checkEmployeeWrite(jsonBody(req), false, lookups, employee.id);
    if (!checked.ok) return failure(422, checked.message);
    Object.assign(employee, checked.changes, { last_modified_at: stamp() });
    return { status: 200, body: { success: true, data: { id: employee.id }, meta: checked.meta } };
  };

  const route = (req: EmulatorRequest): Reply => {
    const path = req.path.slice(PERSONIO_BASE_PATH.length);
    if (path === '/company/employees') {
      if (req.method === 'GET') return list(req);
      if (req.method === 'POST') return create(req);
      return failure(405, 'Method not allowed');
    }
    const m = /^\/company\/employees\/(\d{1,12})$/.exec(path);
    if (m === null) return failure(404, 'Not found');
    const employee = employees.get(Number(m[1]));
    if (req.method !== 'GET' && req.method !== 'PATCH') return failure(405, 'Method not allowed'); // no delete
    if (employee === undefined) return { status: 404, body: { success: false, error: { code: 0, message: 'Es ist ein Problem aufgetreten ' } } };
    return req.method === 'GET' ? { status: 200, body: { success: true, data: wrap(employee) } } : update(req, employee);
  };

  return {
    handle(req) {
      if (!req.path.startsWith(`${PERSONIO_BASE_PATH}/`)) return failure(404, 'Not found');
      if (req.path === `${PERSONIO_BASE_PATH}/auth`) return auth(req);
      if (req.body.kind === 'invalid-json') return failure(400, 'Malformed JSON body');
      return authenticate(req) ?? route(req);
    },
    error: failure,
    users: () => structuredClone([...employees.values()]),
    groups: () => [],
    seedUser(fields) {
      const id = fields.id ?? nextId;
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || employees.has(id)) throw new TypeError(`seedUser: id must be a new positive integer, got ${String(id)}`);
      nextId = Math.max(nextId, id + 1);
      const employee = { ...blank(id), ...fields, id };
      employees.set(id, employee);
      return structuredClone(employee);
    },
    revokeTokens() {
      tokens = new Map();
    },
    reset() {
      employees = new Map();
      tokens = new Map();
      nextId = 1;
    },
  };
}
