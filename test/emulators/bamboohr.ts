/**
 * The BambooHR API (docs/native-apis.md, "BambooHR") served under `/api/v1`: HTTP Basic with the API key
 * as user, `Accept: application/json` or 406, string ids, `POST /employees` answering 201 with an empty
 * body and the id only in `Location`, updates that ignore unknown fields, and every error as an empty
 * body with the reason in `X-BambooHR-Error-Message`.
 */
import { isIsoDate } from './dates.js';
import type { EmulatorRequest, NativeApi, Reply } from './types.js';

export const BAMBOOHR_BASE_PATH = '/api/v1';

type Employee = Record<string, string | null>;

const KNOWN_FIELDS = [
  'firstName',
  'lastName',
  'workEmail',
  'jobTitle',
  'employeeNumber',
  'hireDate',
  'location',
  'status',
  'supervisorEId',
  'department',
] as const;

const DIRECTORY_FIELDS = ['displayName', 'firstName', 'lastName', 'workEmail', 'jobTitle', 'department', 'location'] as const;

function failure(status: number, message: string, retryAfterSeconds?: number): Reply {
  const headers: Record<string, string> = { 'x-bamboohr-error-message': message };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return { status, headers };
}

function basicUser(header: string | undefined): string | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]{1,2000})$/i.exec(header?.trim() ?? '');
  if (m?.[1] === undefined) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(0, colon);
}

/** JSON is only served to clients that ask for it; the real API would answer XML, we answer 406. */
function acceptsJson(header: string | undefined): boolean {
  return (header ?? '').split(',').some((range) => range.split(';')[0]?.trim().toLowerCase() === 'application/json');
}

export function createBambooHr(options: { apiKey: string }): NativeApi {
  let employees = new Map<string, Employee>();
  let nextId = 1;

  const blank = (id: string): Employee => {
    const employee: Employee = { id };
    for (const field of KNOWN_FIELDS) employee[field] = null;
    employee.status = 'Active';
    return employee;
  };

  /** The known fields of a write, checked; unknown fields are dropped without a word, as BambooHR does. */
  const readFields = (req: EmulatorRequest, creating: boolean): { ok: true; fields: Employee } | { ok: false; reply: Reply } => {
    const body = req.body;
    if (body.kind === 'invalid-json') return { ok: false, reply: failure(400, 'Malformed JSON body') };
    if (body.kind === 'other') return { ok: false, reply: failure(400, 'Request body must be JSON') };
    const input = body.kind === 'json' ? body.value : {};
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return { ok: false, reply: failure(400, 'Request body must be a JSON object') };
    }
    const fields: Employee = {};
    for (const name of KNOWN_FIELDS) {
      if (!Object.hasOwn(input, name)) continue;
      const value = (input as Record<string, unknown>)[name];
      if (value !== null && typeof value !== 'string' && typeof value !== 'number') {
        return { ok: false, reply: failure(400, `Invalid value for field ${name}`) };
      }
      fields[name] = value === null || value === '' ? null : String(value);
    }
    const missing = ['firstName', 'lastName'].filter((name) => (creating ? !fields[name] : Object.hasOwn(fields, name) && !fields[name]));
    if (missing.length > 0) return { ok: false, reply: failure(400, `Missing required fields: ${missing.join(', ')}`) };
    if (fields.hireDate != null && !isIsoDate(fields.hireDate)) {
      return { ok: false, reply: failure(400, 'Invalid date for field hireDate: expected YYYY-MM-DD') };
    }
    if (fields.status != null && fields.status !== 'Active' && fields.status !== 'Inactive') {
      return { ok: false, reply: failure(400, 'Invalid value for field status: expected Active or Inactive') };
    }
    if (fields.supervisorEId != null && !employees.has(fields.supervisorEId)) {
      return { ok: false, reply: failure(400, 'Invalid value for field supervisorEId: no such employee') };
    }
    return { ok: true, fields };
  };

  const create = (req: EmulatorRequest): Reply => {
    const read = readFields(req, true);
    if (!read.ok) return read.reply;
    const id = String(nextId++);
    employees.set(id, { ...blank(id), ...read.fields });
    return { status: 201, headers: { location: `${req.origin}${BAMBOOHR_BASE_PATH}/employees/${id}` } };
  };

  const getOne = (req: EmulatorRequest, employee: Employee): Reply => {
    const asked = (req.query.fields ?? 'firstName,lastName').split(',').map((f) => f.trim());
    const answer: Employee = { id: employee.id ?? null };
    for (const field of asked) {
      if ((KNOWN_FIELDS as readonly string[]).includes(field)) answer[field] = employee[field] ?? null;
    }
    return { status: 200, body: answer };
  };

  const update = (req: EmulatorRequest, employee: Employee): Reply => {
    const read = readFields(req, false);
    if (!read.ok) return read.reply;
    Object.assign(employee, read.fields);
    return { status: 200 };
  };

  /** Our reading: like BambooHR's own directory page, it lists active employees only. */
  const directory = (): Reply => ({
    status: 200,
    body: {
      fields: DIRECTORY_FIELDS.map((id) => ({ id, type: id === 'workEmail' ? 'email' : 'text', name: id })),
      employees: [...employees.values()]
        .filter((e) => e.status === 'Active')
        .map((e) => {
          const entry: Employee = { id: e.id ?? null, displayName: `${e.firstName ?? ''} ${e.lastName ?? ''}`.trim() };
          for (const field of DIRECTORY_FIELDS) if (field !== 'displayName') entry[field] = e[field] ?? null;
          return entry;
        }),
    },
  });

  const route = (req: EmulatorRequest): Reply => {
    const rest = req.path.slice(BAMBOOHR_BASE_PATH.length);
    if (rest === '/employees') return req.method === 'POST' ? create(req) : failure(405, 'Method not allowed');
    if (rest === '/employees/directory') return req.method === 'GET' ? directory() : failure(405, 'Method not allowed');
    const id = /^\/employees\/(\d{1,15})$/.exec(rest)?.[1];
    if (id === undefined) return failure(404, 'Not found');
    const employee = employees.get(id);
    if (employee === undefined) return failure(404, `Employee ${id} not found`);
    if (req.method === 'GET') return getOne(req, employee);
    if (req.method === 'POST') return update(req, employee);
    return failure(405, 'Method not allowed');
  };

  return {
    handle(req) {
      if (!req.path.startsWith(`${BAMBOOHR_BASE_PATH}/`)) return failure(404, 'Not found');
      if (basicUser(req.headers.authorization) !== options.apiKey) {
        return { status: 401, headers: { 'x-bamboohr-error-message': 'Invalid API key', 'www-authenticate': 'Basic realm="BambooHR"' } };
      }
      if (!acceptsJson(req.headers.accept)) return failure(406, 'Accept: application/json is required');
      return route(req);
    },
    error: failure,
    users: () => structuredClone([...employees.values()]),
    groups: () => [],
    seedUser(fields) {
      const id = String(fields.id ?? nextId);
      if (!/^\d{1,15}$/.test(id) || employees.has(id)) throw new TypeError(`seedUser: id must be a new numeric string, got ${id}`);
      nextId = Math.max(nextId, Number(id) + 1);
      const employee: Employee = blank(id);
      for (const [name, value] of Object.entries(fields)) {
        if (name !== 'id') employee[name] = value === null || value === undefined ? null : String(value);
      }
      employees.set(id, employee);
      return structuredClone(employee);
    },
    reset() {
      employees = new Map();
      nextId = 1;
    },
  };
}
