/**
 * A HiBob-style People API (docs/native-apis.md, "HiBob"): Basic auth with a service user, string ids,
 * `POST /v1/people/search` answering every match at once, email unique (409), and termination as its own
 * endpoint that flips `state` between "employed" and "terminated".
 */
import { isIsoDate } from './dates.js';
import { checkPersonWrite, FIELD_PATHS, readPath, type Person } from './hibob-fields.js';
import type { EmulatorRequest, NativeApi, Reply } from './types.js';

/** HiBob ids are long digit strings; starting here makes them look it. */
const FIRST_ID = 3_100_000_000_000_000_000n;

function failure(status: number, message: string, retryAfterSeconds?: number): Reply {
  const headers = retryAfterSeconds === undefined ? undefined : { 'retry-after': String(retryAfterSeconds) };
  return { status, headers, body: { error: message } };
}

const NOT_FOUND = failure(404, 'Employee not found');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function jsonBody(req: EmulatorRequest): { ok: true; value: unknown } | { ok: false; reply: Reply } {
  if (req.body.kind === 'none') return { ok: true, value: {} };
  if (req.body.kind === 'json') return { ok: true, value: req.body.value };
  if (req.body.kind === 'invalid-json') return { ok: false, reply: failure(400, 'Malformed JSON body') };
  return { ok: false, reply: failure(415, 'Content-Type must be application/json') };
}

/** Puts `value` at `path` inside `target`, creating the objects between. */
function place(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  path.forEach((key, i) => {
    if (i === path.length - 1) node[key] = value;
    else node = (node[key] ??= {}) as Record<string, unknown>;
  });
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]{1,2000})$/i.exec(header?.trim() ?? '');
  if (m?.[1] === undefined) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function createHiBob(options: { serviceUser: string; token: string }): NativeApi {
  let people = new Map<string, Person>();
  let counter = 1n;

  const blank = (id: string): Person => ({
    id,
    firstName: null,
    surname: null,
    displayName: null,
    email: null,
    state: 'employed',
    terminationDate: null,
    work: { title: null, site: null, startDate: null, reportsTo: null },
  });

  /** The next unused id (a seeded person may have taken the one the counter points at). */
  const freshId = (): string => {
    while (people.has(String(FIRST_ID + counter))) counter += 1n;
    return String(FIRST_ID + counter);
  };

  const emailTaken = (email: string, exceptId?: string): boolean =>
    [...people.values()].some((p) => p.id !== exceptId && String(p.email).toLowerCase() === email.toLowerCase());

  /** Applies a checked write: the 409 on a taken email comes before anything changes. */
  const apply = (person: Person, input: unknown, creating: boolean): Reply | undefined => {
    const checked = checkPersonWrite(input, creating, (id) => people.has(id));
    if (!checked.ok) return failure(400, checked.error);
    const email = checked.top.email;
    if (typeof email === 'string' && emailTaken(email, person.id)) return failure(409, 'An employee with this email already exists');
    Object.assign(person, checked.top);
    Object.assign(person.work, checked.work);
    person.displayName = `${String(person.firstName)} ${String(person.surname)}`;
    return undefined;
  };

  const search = (input: unknown): Reply => {
    if (!isObject(input)) return failure(400, 'Request body must be a JSON object');
    const filters = input.filters ?? [];
    const fields = input.fields;
    if (!Array.isArray(filters)) return failure(400, 'filters must be an array');
    if (fields !== undefined && !(Array.isArray(fields) && fields.every((f) => typeof f === 'string' && Object.hasOwn(FIELD_PATHS, f)))) {
      return failure(400, `fields must be an array of known field paths: ${Object.keys(FIELD_PATHS).join(', ')}`);
    }
    const tests: Array<(p: Person) => boolean> = [];
    for (const filter of filters as unknown[]) {
      if (!isObject(filter) || typeof filter.fieldPath !== 'string' || !Object.hasOwn(FIELD_PATHS, filter.fieldPath)) {
        return failure(400, 'Each filter needs a known fieldPath');
      }
      if (filter.operator !== 'equals') return failure(400, 'Unsupported filter operator');
      if (!Array.isArray(filter.values) || !filter.values.every((v) => typeof v === 'string')) {
        return failure(400, 'Filter values must be an array of strings');
      }
      const path = FIELD_PATHS[filter.fieldPath] ?? [];
      // Emails compare without case, like the uniqueness rule; everything else exactly.
      const fold = filter.fieldPath === 'root.email' ? (s: string) => s.toLowerCase() : (s: string) => s;
      const wanted = new Set((filter.values as string[]).map(fold));
      tests.push((p) => {
        const value = readPath(p, path);
        return typeof value === 'string' && wanted.has(fold(value));
      });
    }
    const showInactive = input.showInactive === true;
    const matches = [...people.values()].filter((p) => (showInactive || p.state !== 'terminated') && tests.every((t) => t(p)));
    const project = (p: Person): Record<string, unknown> => {
      if (fields === undefined) return structuredClone(p);
      const out: Record<string, unknown> = { id: p.id };
      for (const f of fields as string[]) place(out, FIELD_PATHS[f] ?? [], structuredClone(readPath(p, FIELD_PATHS[f] ?? [])) ?? null);
      return out;
    };
    return { status: 200, body: { employees: matches.map(project) } };
  };

  const terminate = (person: Person, input: unknown): Reply => {
    if (person.state === 'terminated') return failure(400, 'Employee is already terminated');
    if (!isObject(input) || !isIsoDate(input.terminationDate)) {
      return failure(400, 'terminationDate is required, in YYYY-MM-DD format');
    }
    if (input.reason !== undefined && typeof input.reason !== 'string') return failure(400, 'reason must be a string');
    person.state = 'terminated';
    person.terminationDate = input.terminationDate;
    return { status: 200 };
  };

  const revoke = (person: Person): Reply => {
    if (person.state !== 'terminated') return failure(400, 'Employee is not terminated');
    person.state = 'employed';
    person.terminationDate = null;
    return { status: 200 };
  };

  const route = (req: EmulatorRequest, body: unknown): Reply => {
    const { method, path } = req;
    if (path === '/v1/people/search') return method === 'POST' ? search(body) : failure(405, 'Method not allowed');
    if (path === '/v1/people') {
      if (method !== 'POST') return failure(405, 'Method not allowed');
      const person = blank(freshId());
      const refused = apply(person, body, true);
      if (refused !== undefined) return refused;
      people.set(person.id, person);
      return { status: 200, body: structuredClone(person) };
    }
    const m = /^\/v1\/(people|employees)\/(\d{1,25})(\/terminate|\/revoke-termination)?$/.exec(path);
    if (m === null || (m[1] === 'people') !== (m[3] === undefined)) return failure(404, 'Not found');
    const person = people.get(m[2] ?? '');
    if (person === undefined) return NOT_FOUND;
    if (m[3] !== undefined) {
      if (method !== 'POST') return failure(405, 'Method not allowed');
      return m[3] === '/terminate' ? terminate(person, body) : revoke(person);
    }
    if (method === 'GET') return { status: 200, body: structuredClone(person) };
    if (method !== 'PUT') return failure(405, 'Method not allowed');
    return apply(person, body, false) ?? { status: 200 };
  };

  return {
    handle(req) {
      const credentials = parseBasic(req.headers.authorization);
      if (credentials?.user !== options.serviceUser || credentials.password !== options.token) {
        return failure(401, 'Unauthorized');
      }
      const body = jsonBody(req);
      return body.ok ? route(req, body.value) : body.reply;
    },
    error: failure,
    users: () => structuredClone([...people.values()]),
    groups: () => [],
    seedUser(fields) {
      const id = String(fields.id ?? freshId());
      if (!/^\d{1,25}$/.test(id) || people.has(id)) throw new TypeError(`seedUser: id must be a new digit string, got ${id}`);
      const base = blank(id);
      const work = isObject(fields.work) ? { ...base.work, ...fields.work } : base.work;
      const person: Person = { ...base, ...fields, id, work };
      person.displayName ??= `${String(person.firstName)} ${String(person.surname)}`;
      people.set(id, person);
      return structuredClone(person);
    },
    reset() {
      people = new Map();
      counter = 1n;
    },
  };
}
