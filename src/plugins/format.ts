/**
 * The shape of `plugins/<name>/plugin.yaml`, checked with zod before anything is compiled. What the
 * shape cannot say (paths that must resolve against the schemas, json-logic rules, template parameters)
 * is checked by compile.ts. docs/plugins.md explains every key.
 */
import { z } from 'zod';

/** A native field, dotted for nesting (`work.reportsTo.id`). Prototype keys are refused. */
export const nativePath = z
  .string()
  .regex(/^[A-Za-z_$][A-Za-z0-9_$-]*(?:\.[A-Za-z_$][A-Za-z0-9_$-]*)*$/, 'must be a field name, dotted for nesting (e.g. "work.title")')
  .refine((p) => !p.split('.').some((s) => s === '__proto__' || s === 'constructor' || s === 'prototype'), 'must not name a prototype key');

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
  clearAt: nativePath.optional(),
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

const createOperation = z.strictObject({
  ...operationBase,
  /** Where the new native id is: a field of the response body, or the `Location` header. */
  id: z.union([
    z.strictObject({ body: nativePath }),
    z.strictObject({ location: z.string().startsWith('/', 'must start with "/"').max(256) }),
  ]),
});

const updateOperation = z.strictObject({
  ...operationBase,
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
  /** SCIM attribute paths a lookup may be answered for natively (e.g. `userName`, `emails.value`). */
  by: z.array(z.string().min(1)).min(1),
  /** The native field that must equal the searched value (checked on every result, even when filtered natively). */
  match: nativePath,
  /** The native field of a result that holds its id. */
  id: nativePath.default('id'),
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

const userOperations = z.strictObject({
  create: createOperation,
  read: plainOperation.optional(),
  update: updateOperation,
  delete: plainOperation.optional(),
  search: searchOperation.optional(),
  deactivate: plainOperation.optional(),
  reactivate: plainOperation.optional(),
});

const groupOperations = userOperations.omit({ deactivate: true, reactivate: true });

/** How SCIM `active` reaches the native API. */
const activeMode = z.discriminatedUnion('mode', [
  /** A native field: `active`/`inactive` are its values (15Five `is_active`, BambooHR `status`). */
  z.strictObject({ mode: z.literal('flag'), field: nativePath, active: z.unknown(), inactive: z.unknown() }),
  /** The `deactivate` / `reactivate` operations (HiBob terminate / revoke-termination). */
  z.strictObject({ mode: z.literal('endpoint') }),
  /** `active: false` deletes the native record (it cannot be reactivated). */
  z.strictObject({ mode: z.literal('delete') }),
  /** `active` stays in the gateway. */
  z.strictObject({ mode: z.literal('ignore') }),
]);

const mappings = {
  /** Native field → how its value is made from the SCIM resource. */
  toNative: z.record(nativePath, fieldRule),
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
  requires,
  delete: z.enum(['native', 'ignore']),
});

const template = z.string().max(4096);

const auth = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('header'), header: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name'), prefix: z.string().optional(), value: template }),
  z.strictObject({ type: z.literal('basic'), username: template, password: template }),
  z.strictObject({ type: z.literal('bearer'), token: template }),
  z.strictObject({
    type: z.literal('oauth2'),
    tokenUrl: template,
    clientId: template,
    clientSecret: template,
    scope: template.optional(),
    audience: template.optional(),
  }),
]);
export type AuthInput = z.output<typeof auth>;

const errorRule = z.strictObject({
  /** Native status(es) the rule applies to. */
  status: z.union([z.number().int().min(400).max(599), z.array(z.number().int().min(400).max(599)).min(1)]),
  /** Only for this operation, e.g. `users.create`. */
  operation: z.string().regex(/^(users|groups)\.[a-z]+$/, 'must be like "users.create"').optional(),
  /** The response body (as text) contains this, ignoring case. */
  bodyContains: z.string().min(1).optional(),
  /** A response header contains this, ignoring case (BambooHR's X-BambooHR-Error-Message). */
  header: z.strictObject({ name: z.string().min(1), contains: z.string().min(1) }).optional(),
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
  connection: z.strictObject({
    auth,
    /** Sent on every request. */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name'), z.string()).default({}),
    timeoutMs: z.number().int().min(100).max(300_000).default(10_000),
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
  }),
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
export type ErrorRuleInput = z.output<typeof errorRule>;
