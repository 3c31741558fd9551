/**
 * 15Five's SCIM 2.0 endpoint (`https://<company>.15five.com/scim/v2`) as its help centre describes it
 * (docs/native-apis.md, "15Five SCIM"): users with the extension
 * `urn:ietf:params:scim:schemas:extension:15Five:2.0:User` (location, startDate, hireDate, terminationDate —
 * dates MM/DD/YYYY only, anything else refused), groups with members, deactivation by `active: false`.
 * Bearer SCIM key. Where the docs are silent it is a strict RFC 7644 server (each such rule says "guess"):
 * it refuses Entra's quirks (capitalised ops, "True"/"False", a bare manager id), so a request that reaches
 * it through the gateway proves the gateway undid them.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorRequest, NativeApi, Reply } from './types.js';

export const FIFTEEN_FIVE_SCIM_BASE_PATH = '/scim/v2';
export const FIFTEEN_FIVE_EXTENSION = 'urn:ietf:params:scim:schemas:extension:15Five:2.0:User';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const DATES = ['startDate', 'hireDate', 'terminationDate'];
const MMDDYYYY = /^(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01])\/\d{4}$/;

type Resource = Record<string, unknown>;
const isObject = (v: unknown): v is Resource => typeof v === 'object' && v !== null && !Array.isArray(v);

function scimError(status: number, detail: string, scimType?: string, retryAfterSeconds?: number): Reply {
  return {
    status,
    ...(retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(retryAfterSeconds) } }),
    body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), ...(scimType ? { scimType } : {}), detail },
  };
}

/** Why a user body is refused, or undefined. */
function userProblem(body: Resource): Reply | undefined {
  if (typeof body.userName !== 'string' || body.userName === '') return scimError(400, 'userName is required', 'invalidValue');
  if ('active' in body && typeof body.active !== 'boolean') return scimError(400, 'active must be a boolean', 'invalidValue'); // guess: strict RFC
  for (const key of Object.keys(body)) {
    if (key.startsWith('urn:') && ![ENTERPRISE, FIFTEEN_FIVE_EXTENSION].includes(key)) return scimError(400, `Unknown schema ${key}`, 'invalidSyntax'); // guess
  }
  const ext = body[FIFTEEN_FIVE_EXTENSION];
  if (ext !== undefined) {
    if (!isObject(ext)) return scimError(400, 'The 15Five extension must be an object', 'invalidSyntax');
    for (const name of DATES) {
      // Documented: "Start dates must use the format MM/DD/YYYY."
      if (ext[name] !== undefined && (typeof ext[name] !== 'string' || !MMDDYYYY.test(ext[name]))) return scimError(400, `${name} must be MM/DD/YYYY`, 'invalidValue');
    }
  }
  const manager = isObject(body[ENTERPRISE]) ? body[ENTERPRISE].manager : undefined;
  if (manager !== undefined && !isObject(manager)) return scimError(400, 'manager must be a complex value', 'invalidValue'); // guess: strict RFC
  return undefined;
}

export function createFifteenFiveScim(options: { token: string; clock: () => number }): NativeApi {
  let users = new Map<string, Resource>();
  let groups = new Map<string, Resource>();

  const meta = (type: 'User' | 'Group', id: string, origin: string, created?: unknown) => {
    const now = new Date(options.clock()).toISOString();
    return { resourceType: type, created: created ?? now, lastModified: now, location: `${origin}${FIFTEEN_FIVE_SCIM_BASE_PATH}/${type}s/${id}` };
  };
  const render = (r: Resource, origin: string): Resource => {
    if (!Array.isArray(r.members)) return r;
    return { ...r, members: (r.members as Resource[]).map((m) => ({ ...m, $ref: `${origin}${FIFTEEN_FIVE_SCIM_BASE_PATH}/Users/${String(m.value)}` })) };
  };
  const taken = (map: Map<string, Resource>, key: 'userName' | 'displayName', value: unknown, except?: string) =>
    [...map.values()].some((r) => r.id !== except && typeof r[key] === 'string' && typeof value === 'string' && r[key].toLowerCase() === value.toLowerCase());

  function groupProblem(body: Resource): Reply | undefined {
    if (typeof body.displayName !== 'string' || body.displayName === '') return scimError(400, 'displayName is required', 'invalidValue');
    if (body.members !== undefined && !Array.isArray(body.members)) return scimError(400, 'members must be a list', 'invalidSyntax');
    for (const m of (body.members as unknown[] | undefined) ?? []) {
      if (!isObject(m) || typeof m.value !== 'string' || !users.has(m.value)) return scimError(400, 'A member is not a user of this company', 'invalidValue');
    }
    return undefined;
  }

  /** A stored resource: what was sent, server attributes set here, members without $ref. */
  function store(type: 'User' | 'Group', id: string, body: Resource, origin: string, created?: unknown): Resource {
    const { id: _id, meta: _meta, ...rest } = body;
    const members = Array.isArray(rest.members) ? (rest.members as Resource[]).map((m) => ({ value: m.value })) : undefined;
    const record: Resource = {
      ...rest,
      schemas: Array.isArray(rest.schemas) ? rest.schemas : [type === 'User' ? CORE_USER : CORE_GROUP],
      id,
      ...(type === 'User' && rest.active === undefined ? { active: true } : {}),
      ...(members ? { members } : {}),
      meta: meta(type, id, origin, created),
    };
    (type === 'User' ? users : groups).set(id, record);
    return record;
  }

  function list(map: Map<string, Resource>, filter: string | undefined, origin: string): Reply {
    let found = [...map.values()];
    if (filter !== undefined) {
      // guess: like most SCIM servers, only `attribute eq "value"` (Entra's and Okta's lookups).
      const m = /^\s*([A-Za-z.:0-9]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i.exec(filter);
      if (!m) return scimError(400, 'Only "attribute eq value" filters are supported', 'invalidFilter');
      const [, attr, raw] = m;
      const value = (JSON.parse(`"${raw}"`) as string).toLowerCase();
      found = found.filter((r) => {
        const v = attr === 'emails.value' ? (r.emails as Resource[] | undefined)?.map((e) => e.value) : [r[attr!]];
        return (v ?? []).some((x) => typeof x === 'string' && x.toLowerCase() === value);
      });
    }
    return { status: 200, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: found.length, startIndex: 1, itemsPerPage: found.length, Resources: found.map((r) => render(r, origin)) } };
  }

  /** RFC 7644 §3.5.2 on simple paths; a capitalised op is refused (guess: a strict server). */
  function patch(type: 'User' | 'Group', current: Resource, body: unknown): { next: Resource } | { reply: Reply } {
    if (!isObject(body) || !Array.isArray(body.schemas) || !body.schemas.includes(PATCH_OP) || !Array.isArray(body.Operations)) {
      return { reply: scimError(400, 'A PatchOp message is required', 'invalidSyntax') };
    }
    const next = structuredClone(current);
    for (const op of body.Operations as unknown[]) {
      if (!isObject(op) || !['add', 'replace', 'remove'].includes(op.op as string)) return { reply: scimError(400, 'op must be add, replace or remove', 'invalidSyntax') };
      const path = typeof op.path === 'string' ? op.path : undefined;
      const member = path && /^members\[value eq "([^"]+)"\]$/.exec(path);
      if (member) {
        next.members = ((next.members as Resource[] | undefined) ?? []).filter((m) => m.value !== member[1]);
      } else if (path === 'members') {
        const values = Array.isArray(op.value) ? (op.value as Resource[]) : [];
        const kept = op.op === 'replace' ? [] : ((next.members as Resource[] | undefined) ?? []);
        const ids = new Set(values.map((v) => v.value));
        next.members = op.op === 'remove' ? kept.filter((m) => !ids.has(m.value)) : [...kept.filter((m) => !ids.has(m.value)), ...values.map((v) => ({ value: v.value }))];
      } else if (path === undefined) {
        if (op.op === 'remove' || !isObject(op.value)) return { reply: scimError(400, 'A remove needs a path', 'noTarget') };
        Object.assign(next, op.value);
      } else {
        const colon = path.lastIndexOf(':');
        const [holder, name] = colon > 0 ? [(next[path.slice(0, colon)] ??= {}) as Resource, path.slice(colon + 1)] : [next, path];
        if (op.op === 'remove') delete holder[name];
        else holder[name] = op.value;
      }
    }
    const problem = type === 'User' ? userProblem(next) : groupProblem(next);
    return problem ? { reply: problem } : { next };
  }

  function handle(req: EmulatorRequest): Reply {
    if (!req.path.startsWith(FIFTEEN_FIVE_SCIM_BASE_PATH)) return scimError(404, 'Not found');
    if (req.headers.authorization !== `Bearer ${options.token}`) return scimError(401, 'Authentication credentials were not provided or are invalid');
    const [, collection, id, extra] = req.path.slice(FIFTEEN_FIVE_SCIM_BASE_PATH.length).split('/');
    const type = collection === 'Users' ? 'User' : collection === 'Groups' ? 'Group' : undefined;
    if (!type || extra !== undefined) return scimError(404, 'Not found');
    const map = type === 'User' ? users : groups;
    const key = type === 'User' ? 'userName' : 'displayName';
    if (req.body.kind === 'invalid-json' || req.body.kind === 'other') return scimError(400, 'The body is not JSON', 'invalidSyntax');
    const body = req.body.kind === 'json' ? req.body.value : undefined;
    const problemOf = (r: Resource) => (type === 'User' ? userProblem(r) : groupProblem(r));

    if (id === undefined) {
      if (req.method === 'GET') return list(map, req.query.filter, req.origin);
      if (req.method !== 'POST') return scimError(405, 'Method not allowed');
      if (!isObject(body)) return scimError(400, 'A JSON object is required', 'invalidSyntax');
      const problem = problemOf(body);
      if (problem) return problem;
      if (taken(map, key, body[key])) return scimError(409, `${key} is already taken`, 'uniqueness');
      return { status: 201, body: render(store(type, randomUUID(), body, req.origin), req.origin) };
    }
    const current = map.get(id);
    if (!current) return scimError(404, `${type} ${id} not found`);
    switch (req.method) {
      case 'GET':
        return { status: 200, body: render(current, req.origin) };
      case 'PUT': {
        if (!isObject(body)) return scimError(400, 'A JSON object is required', 'invalidSyntax');
        const problem = problemOf(body);
        if (problem) return problem;
        if (taken(map, key, body[key], id)) return scimError(409, `${key} is already taken`, 'uniqueness');
        return { status: 200, body: render(store(type, id, body, req.origin, (current.meta as Resource).created), req.origin) };
      }
      case 'PATCH': {
        const patched = patch(type, current, body);
        if ('reply' in patched) return patched.reply;
        const { next } = patched;
        if (taken(map, key, next[key], id)) return scimError(409, `${key} is already taken`, 'uniqueness');
        return { status: 200, body: render(store(type, id, next, req.origin, (current.meta as Resource).created), req.origin) };
      }
      case 'DELETE':
        map.delete(id);
        if (type === 'User') for (const g of groups.values()) g.members = ((g.members as Resource[] | undefined) ?? []).filter((m) => m.value !== id);
        return { status: 204 };
      default:
        return scimError(405, 'Method not allowed');
    }
  }

  return {
    handle,
    error: (status, message, retryAfterSeconds) => scimError(status, message, undefined, retryAfterSeconds),
    users: () => structuredClone([...users.values()]),
    groups: () => structuredClone([...groups.values()]),
    seedUser: (fields) => store('User', randomUUID(), { schemas: [CORE_USER], ...fields }, 'http://127.0.0.1'),
    seedGroup: (fields) => store('Group', randomUUID(), { schemas: [CORE_GROUP], ...fields }, 'http://127.0.0.1'),
    reset() {
      users = new Map();
      groups = new Map();
    },
  };
}
