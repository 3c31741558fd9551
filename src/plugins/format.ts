/**
 * The shape of `plugins/<name>/plugin.yaml`, checked with zod before anything is compiled. What the
 * shape cannot say (paths that must resolve against the schemas, json-logic rules, template parameters)
 * is checked by compile.ts. docs/plugins.md explains every key.
 */
import { z } from 'zod';

const noPrototypeKey = (p: string) => !p.split('.').some((s) => s === '__proto__' || s === 'constructor' || s === 'prototype');

/** A native field, dotted for nesting (`work.reportsTo.id`): what toNative writes and the read side provides. */
export const nativeField = z
  .string()
  .regex(/^[A-Za-z_$][A-Za-z0-9_$-]*(?:\.[A-Za-z_$][A-Za-z0-9_$-]*)*$/, 'must be a field name, dotted for nesting (e.g. "work.title")')
  .refine(noPrototypeKey, 'must not name a prototype key');

/** A place in a native answer: dotted, digits index lists (`results.0.id`, `data.attributes.email.value`). */
export const nativePath = z
  .string()
  .regex(/^(?:[A-Za-z_$][A-Za-z0-9_$-]*|\d{1,6})(?:\.(?:[A-Za-z_$][A-Za-z0-9_$-]*|\d{1,6}))*$/, 'must be a dotted path in the answer (e.g. "data.0.id")')
  .refine(noPrototypeKey, 'must not name a prototype key');

/** Where each native field is in a record the API answers: `'*'` is a pattern with `{field}`, other keys one field each. */
const readFields = z.record(
  z.union([z.literal('*'), nativeField]),
  z.string().regex(/^[A-Za-z0-9_$.{}-]{1,200}$/, 'must be a dotted path, "{field}" standing for the field (e.g. "attributes.{field}.value")'),
);

const identifier = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a name of letters, digits and "_"');

/** How one target field gets its value. A bare string is short for `{ from: <string> }`. */
const fieldRuleObject = z.strictObject({
  /** Where the value comes from: a path (or the first of several that has a value). */
  from: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  /** json-logic over the source view; with `from`, the value found is `{"var": "value"}`. */
  rule: z.unknown().optional(),
  /** A fixed value. */
  const: z.unknown().optional(),
  /** Used when the value is null, missing or "". */
  default: z.unknown().optional(),
  /** The value is the id of another resource, translated between SCIM and native ids. */
  reference: z.enum(['User', 'Group']).optional(),
  /** The native type of the value (native ids are strings to the gateway; 15Five wants integers). */
  as: z.enum(['string', 'integer', 'number', 'boolean']).optional(),
  /** Sent when the value is removed on an update (default null). */
  clear: z.unknown().optional(),
  /** Where `clear` goes instead of the field itself: a parent (`work.reportsTo` for `work.reportsTo.id`). */
  clearAt: nativeField.optional(),
  /** toNative: the write operations that send this field (default: every one). */
  in: z.array(z.enum(['create', 'update'])).min(1).optional(),
  /** toNative: the API takes this field only when the record is created; a change is refused (400 mutability) or reported. */
  createOnly: z.enum(['refuse', 'report']).optional(),
});
export const fieldRule = z.union([z.string().min(1), fieldRuleObject]);
export type FieldRuleInput = z.output<typeof fieldRule>;

const method = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const queryValue = z.union([z.string(), z.number(), z.boolean()]);

const operationBase = {
  method,
  /** Below the base URL; `{id}`-style parameters are URL-encoded into one segment each. */
  path: z.string().startsWith('/', 'must start with "/"').max(512),
  query: z.record(z.string().min(1), queryValue).optional(),
};

const plainOperation = z.strictObject({
  ...operationBase,
  /** A JSON body; strings may hold parameters such as `{id}` or `{today}`. */
  body: z.unknown().optional(),
});

/** The read side of a reading operation: where the record is, where each native field is in it. */
const readOperation = z.strictObject({
  ...operationBase,
  /** Where the record is in the answer (`data`); absent: the answer is the record. */
  record: nativePath.optional(),
  fields: readFields.optional(),
});

const writeBase = {
  ...operationBase,
  /** The body around the mapped fields: a JSON template in which the string "{fields}" stands for them (`{ employee: "{fields}" }`, `["{fields}"]`). */
  body: z.unknown().optional(),
  /** After the write, read the record back (the `read` operation) and compare the fields written: a difference is an error, never success. */
  verify: z.literal('readBack').optional(),
};

const createOperation = z.strictObject({
  ...writeBase,
  /** Where the new native id is: a path in the answer, the `Location` header, and/or a search afterwards. */
  id: z.union([
    z.strictObject({ body: nativePath, search: z.boolean().optional() }),
    z.strictObject({ location: z.string().startsWith('/', 'must start with "/"').max(256), search: z.boolean().optional() }),
    z.strictObject({ search: z.literal(true) }),
  ]),
  /** The endpoint creates or updates by a key (bulk upserts): sending it twice makes no second record. */
  upsert: z.boolean().default(false),
});

const updateOperation = z.strictObject({
  ...writeBase,
  /** `changed`: only the fields that changed (PATCH-style); `full`: every mapped field (PUT-only APIs). */
  send: z.enum(['changed', 'full']).default('changed'),
});

const param = z.string().min(1).max(64);
const pageSize = z.number().int().min(1).max(10_000);

const paging = z.discriminatedUnion('style', [
  z.strictObject({ style: z.literal('none') }),
  z.strictObject({ style: z.literal('page'), page: param, size: param, pageSize, first: z.number().int().min(0).default(1) }),
  z.strictObject({ style: z.literal('offset'), offset: param, limit: param, pageSize }),
  z.strictObject({ style: z.literal('cursor'), cursor: param, next: nativePath, size: param.optional(), pageSize: pageSize.optional() }),
  z.strictObject({ style: z.literal('next-link'), next: nativePath, size: param.optional(), pageSize: pageSize.optional() }),
]);
export type PagingInput = z.output<typeof paging>;

const searchOperation = z.strictObject({
  ...operationBase,
  body: z.unknown().optional(),
  /** Where each native field is in a result (see the read operation). */
  fields: readFields.optional(),
  /** SCIM attribute paths a lookup may be answered for natively (e.g. `userName`, `emails.value`). */
  by: z.array(z.string().min(1)).min(1),
  /** The native field that must equal the searched value (checked on every result, even when filtered natively). */
  match: nativeField,
  /** The native field of a result that holds its id. */
  id: nativeField.default('id'),
  /** Compared ignoring case unless true (emails are case-insensitive). */
  caseExact: z.boolean().default(false),
  /** Where the list is in the response body; absent when the body is the list. */
  results: nativePath.optional(),
  paging: paging.default({ style: 'none' }),
  /** Stop after this many pages even if there are more. */
  maxPages: z.number().int().min(1).max(1000).default(50),
  /** The list holds summaries: read each match in full with the `read` operation. */
  thenRead: z.boolean().default(false),
});
export type SearchInput = z.output<typeof searchOperation>;

/**
 * Every native user, page by page, unfiltered: what `scim-bridge reconcile` pages through. Optional, so
 * plugins written before it stay valid; declare it only where the API documents a list endpoint.
 */
const listOperation = z.strictObject({
  ...operationBase,
  body: z.unknown().optional(),
  /** Where each native field is in a record of the list (see the read operation). */
  fields: readFields.optional(),
  /** The native field of a record that holds its id. */
  id: nativeField.default('id'),
  /** Where the list is in the response body; absent when the body is the list. */
  results: nativePath.optional(),
  paging: paging.default({ style: 'none' }),
  /** Where the answer says how many records there are in all (`count`): progress shows a total. */
  total: nativePath.optional(),
  /** The list holds summaries: read each record in full with the `read` operation. */
  thenRead: z.boolean().default(false),
});
export type ListInput = z.output<typeof listOperation>;

const userOperations = z.strictObject({
  create: createOperation,
  read: readOperation.optional(),
  update: updateOperation,
  delete: plainOperation.optional(),
  search: searchOperation.optional(),
  list: listOperation.optional(),
  deactivate: plainOperation.optional(),
  reactivate: plainOperation.optional(),
});

const groupOperations = userOperations.omit({ deactivate: true, reactivate: true, list: true }).extend({
  /** Optional for groups: an API may have no group create (see `groups.create`) or update. */
  create: createOperation.optional(),
  update: updateOperation.optional(),
});

const stateValues = z.array(z.unknown()).min(1);

/** How SCIM `active` reaches the native API. */
const activeMode = z.discriminatedUnion('mode', [
  /**
   * A native field: `active`/`inactive` are the values written (15Five `is_active`, BambooHR `status`);
   * `states` the values read as each (default: just those two), for APIs with more states than two.
   */
  z.strictObject({
    mode: z.literal('flag'),
    field: nativeField,
    active: z.unknown(),
    inactive: z.unknown(),
    states: z.strictObject({ active: stateValues, inactive: stateValues }).optional(),
  }),
  /** The `deactivate` / `reactivate` operations (HiBob terminate / revoke-termination). */
  z.strictObject({ mode: z.literal('endpoint') }),
  /** `active: false` deletes the native record (it cannot be reactivated). */
  z.strictObject({ mode: z.literal('delete') }),
  /** `active` stays in the gateway. */
  z.strictObject({ mode: z.literal('ignore') }),
]);

const mappings = {
  /** Native field → how its value is made from the SCIM resource. */
  toNative: z.record(nativeField, fieldRule),
  /** SCIM path → how its value is made from a native record (reads for adoption). */
  toScim: z.record(z.string().min(1), fieldRule).default({}),
};

/**
 * SCIM attributes the native API cannot do without (`name.givenName`, `enterprise.employeeNumber`): the
 * app's /Schemas marks them required and a create or replace lacking one is refused before any native call.
 */
const requires = z.array(z.string().min(1)).max(100).default([]);

export const usersSection = z.strictObject({
  operations: userOperations,
  ...mappings,
  requires,
  active: activeMode.default({ mode: 'ignore' }),
  /** What a SCIM DELETE does natively. */
  delete: z.enum(['native', 'deactivate', 'ignore']),
});

export const groupsSection = z.strictObject({
  operations: groupOperations,
  ...mappings,
  /** `native`: operations.create makes new groups; `never`: the API cannot, a create adopts an existing native group (found by operations.search) or is refused. */
  create: z.enum(['native', 'never']).default('native'),
  /**
   * Where membership is written: `group` (default: members are mapped in groups.toNative) or `user` (each
   * member's own `field` holds the whole list of its groups' ids, written with users.operations.update).
   */
  members: z
    .discriminatedUnion('on', [
      z.strictObject({ on: z.literal('group') }),
      z.strictObject({ on: z.literal('user'), field: nativeField, as: z.enum(['string', 'integer']).default('string') }),
    ])
    .default({ on: 'group' }),
  requires,
  delete: z.enum(['native', 'ignore']),
});

const template = z.string().max(4096);

/** Native statuses that mean "the token is stale": a new token is fetched and the call tried once more. */
const refreshStatuses = z.array(z.number().int().min(400).max(499)).min(1).default([401]);

const auth = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('header'), header: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name'), prefix: z.string().optional(), value: template }),
  z.strictObject({ type: z.literal('basic'), username: template, password: template }),
  z.strictObject({ type: z.literal('bearer'), token: template }),
  z.strictObject({
    type: z.literal('oauth2'),
    /** Absolute, or relative to the app's base URL (`/oauth/token`). */
    tokenUrl: template,
    clientId: template,
    clientSecret: template,
    scope: template.optional(),
    audience: template.optional(),
    refreshOn: refreshStatuses,
  }),
  /** A token endpoint that is not textbook OAuth2: any body, the token and its lifetime wherever the answer has them. */
  z.strictObject({
    type: z.literal('token'),
    request: z.strictObject({
      method: z.enum(['POST', 'GET']).default('POST'),
      /** Absolute, or relative to the app's base URL (`/auth`). */
      url: template,
      /** Credentials as a JSON body (`{ client_id: "{clientId}" }`) or as a form. */
      json: z.record(z.string(), template).optional(),
      form: z.record(z.string(), template).optional(),
    }),
    /** Where the token is in the answer (`data.token`). */
    token: nativePath,
    /** Where its lifetime in seconds is (`data.expires_in`); absent or unreadable: `lifetimeSeconds`. */
    expiresIn: nativePath.optional(),
    lifetimeSeconds: z.number().int().min(10).max(31_536_000).default(3600),
    header: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name').default('Authorization'),
    prefix: z.string().default('Bearer'),
    refreshOn: refreshStatuses,
  }),
]);
export type AuthInput = z.output<typeof auth>;

/** The longest `connection.timeoutMs` a plugin may set: no native call is in flight longer (src/budgets). */
export const MAX_TIMEOUT_MS = 300_000;

/** How the gateway reaches the downstream API: shared by rest and scim plugins (src/connection/settings.ts). */
export const connectionSection = z.strictObject({
  auth,
  /** Sent on every request. */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name'), z.string()).default({}),
  timeoutMs: z.number().int().min(100).max(MAX_TIMEOUT_MS).default(10_000),
  rateLimit: z
    .strictObject({
      requestsPerSecond: z.number().positive().max(10_000),
      burst: z.number().int().min(1).optional(),
      concurrency: z.number().int().min(1).max(256),
    })
    .default({ requestsPerSecond: 10, concurrency: 4 }),
  retry: z
    .strictObject({
      attempts: z.number().int().min(1).max(10),
      baseDelayMs: z.number().int().min(0).max(60_000),
      maxDelayMs: z.number().int().min(0).max(300_000),
    })
    .default({ attempts: 3, baseDelayMs: 200, maxDelayMs: 5000 }),
});

const ruleStatus = z.number().int().min(200).max(599);
const operationName = z.string().regex(/^(users|groups)\.[a-z]+$/, 'must be like "users.create"');

const errorRule = z.strictObject({
  /** Native status(es) the rule applies to; a 2xx status makes it a rule on answers that say "done" but mean failure. */
  status: z.union([ruleStatus, z.array(ruleStatus).min(1)]),
  /** Only for this operation, e.g. `users.create`, or these. */
  operation: z.union([operationName, z.array(operationName).min(1)]).optional(),
  /** The response body (as text) contains this, ignoring case. */
  bodyContains: z.string().min(1).optional(),
  /** A response header contains this, ignoring case (BambooHR's X-BambooHR-Error-Message). */
  header: z.strictObject({ name: z.string().min(1), contains: z.string().min(1) }).optional(),
  /** A field of the JSON answer equals a value, or is a non-empty list, object or string (Personio's `meta`). */
  bodyField: z.strictObject({ path: nativePath, equals: z.unknown().optional(), notEmpty: z.literal(true).optional() }).optional(),
  /** The SCIM error answered; `detail` is shown to the client, the native body never is. */
  scim: z.strictObject({ status: z.number().int(), scimType: z.string().optional(), detail: z.string().max(500).optional() }).optional(),
  /** The native answer counts as success (e.g. terminating someone already terminated). */
  ignore: z.literal(true).optional(),
}).refine((r) => (r.scim === undefined) !== (r.ignore === undefined), 'give "scim" (the error to answer) or "ignore: true", one of them');

export const pluginFile = z.strictObject({
  /** Must equal the plugin's directory name. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'plugin names are 1-63 lowercase letters, digits, "-" or "_"'),
  description: z.string().default(''),
  /** Credential names the app entry must supply (name → what it is); auth templates use them as `{name}`. */
  credentials: z.record(identifier, z.string()).default({}),
  connection: connectionSection,
  /** Extension schemas the plugin accepts, with the alias rules use for them. */
  schemas: z
    .array(
      z.strictObject({
        urn: z.string().min(1),
        alias: identifier,
        /** The schema definition, relative to the plugin directory (not needed for the built-in enterprise extension). */
        file: z.string().min(1).optional(),
      }),
    )
    .default([]),
  /** Lookup tables for the `lookup` operation. */
  tables: z.record(identifier, z.record(z.string(), z.unknown())).default({}),
  users: usersSection,
  /** `gateway-only`: the native API has no groups; the gateway keeps them. */
  groups: z.union([z.literal('gateway-only'), groupsSection]),
  errors: z.array(errorRule).default([]),
});

export type PluginFile = z.output<typeof pluginFile>;
export type UsersSection = z.output<typeof usersSection>;
export type GroupsSection = z.output<typeof groupsSection>;
export type OperationInput = z.output<typeof plainOperation>;
export type ReadOperationInput = z.output<typeof readOperation>;
export type CreateInput = z.output<typeof createOperation>;
export type UpdateInput = z.output<typeof updateOperation>;
export type ErrorRuleInput = z.output<typeof errorRule>;
