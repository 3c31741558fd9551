/**
 * The gateway configuration's one schema, defaults beside each field. Validated once at start-up
 * (load.ts); the result is frozen and nothing reads the YAML again.
 */
import { z } from 'zod';
import { appAuthSchema, securitySchema } from '../auth/config-schema.js';
import { MAX_JSON_DEPTH } from '../scim/json-depth.js';
import { VALUE_LIMITS } from '../scim/validate/attribute-value.js';
import { normalizeRules } from '../normalize/format.js';

const appName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'app names are 1-63 lowercase letters, digits, "-" or "_"');

const schemaUrn = z.string().min(1);

/** A value read from the environment at load; `default` when the variable is unset or empty. */
const envValue = z.strictObject(
  {
    env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'),
    default: z.string().optional(),
  },
  {
    // `apiKey: abc…`: credentials never sit in the file; say where they go, without repeating the value.
    error: (issue) =>
      issue.code === 'invalid_type' && typeof issue.input === 'string'
        ? 'a literal value is not accepted; read it from the environment: { env: VARIABLE }'
        : undefined,
  },
);

/** rest apps: this tenant's native API. Credentials only ever come from the environment. */
const downstreamSchema = z.strictObject({
  /** e.g. https://my.15five.com/api/public, literally or from the environment. */
  baseUrl: z.union([z.url(), envValue], { error: 'must be an http(s) URL, or { env: VARIABLE, default: URL }' }),
  /** The credentials the plugin names (`credentials:` in plugin.yaml), each from an environment variable. */
  credentials: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'credential names are letters, digits and "_"'), envValue).default({}),
  /** The header each native call carries the inbound request's id in (false: none), for matching the API's logs with ours. */
  requestIdHeader: z
    .union([z.literal(false), z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name')])
    .default('X-Request-Id'),
});

const appSchema = z.strictObject({
  /**
   * `store`: the gateway itself is the system of record; `rest`: a plugin drives the app's own REST API;
   * `scim`: the app speaks SCIM already (normalized, then forwarded).
   */
  connector: z.enum(['store', 'rest', 'scim']),
  /** rest: the plugin in `<pluginsDir>/<name>/` (plugin.yaml); scim: optional, `<name>/scim.yaml`. */
  plugin: z.string().min(1).optional(),
  /** rest and scim: the tenant's base URL and credentials. */
  downstream: downstreamSchema.optional(),
  /** scim: how the app's SCIM differs from the client's (src/normalize/format.ts), after the plugin's rules. */
  normalize: normalizeRules.optional(),
  /** Which client's quirks to undo at the door. */
  dialect: z.enum(['entra', 'strict']).default('entra'),
  /** Inbound credentials: bearer secrets and/or Entra-issued JWTs (src/auth/config-schema.ts). */
  auth: appAuthSchema,
  /** Extension schema URNs the app accepts, per resource type (the enterprise extension is built in). */
  schemas: z
    .strictObject({
      User: z.array(schemaUrn).default([]),
      Group: z.array(schemaUrn).default([]),
    })
    .default({ User: [], Group: [] }),
  groups: z
    .strictObject({
      /** Entra expects group displayName to be unique (ENTRA.md #14). */
      uniqueDisplayName: z.boolean().default(true),
    })
    .default({ uniqueDisplayName: true }),
}).superRefine((app, ctx) => {
  const needs: Record<typeof app.connector, readonly ('plugin' | 'downstream')[]> = { store: [], rest: ['plugin', 'downstream'], scim: ['downstream'] };
  const allows: Record<typeof app.connector, readonly string[]> = { store: [], rest: ['plugin', 'downstream'], scim: ['plugin', 'downstream', 'normalize'] };
  for (const key of ['plugin', 'downstream', 'normalize'] as const) {
    const kind = app.connector;
    if (needs[kind].includes(key as 'plugin') && app[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `a ${kind} app needs "${key}"` });
    if (!allows[kind].includes(key) && app[key] !== undefined) {
      const which = (['rest', 'scim'] as const).filter((k) => allows[k].includes(key)).join(' and ');
      ctx.addIssue({ code: 'custom', path: [key], message: `only ${which} apps have "${key}"` });
    }
  }
});

/** Where the gateway keeps its state (`store:`); a section's defaults also serve when it is absent (load.ts). */
export const storeSection = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('sqlite'),
      /** Relative paths are inside SCIM_BRIDGE_DATA_DIR. */
      path: z.string().min(1).default('scim-bridge.db'),
      /**
       * How long a write waits for another process's lock on the file (reads go on meanwhile) before it
       * is answered 503 + Retry-After.
       */
      busyTimeoutMs: z.number().int().min(0).max(60_000).default(5000),
    }),
    z.strictObject({
      kind: z.literal('postgres'),
      /** A postgres:// connection URL; from the environment, since it may carry a password. */
      url: envValue.default({ env: 'SCIM_BRIDGE_DATABASE_URL' }),
      /** The schema the gateway's tables live in (created if missing). */
      schema: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'schema names are 1-63 lowercase letters, digits or "_"')
        .default('scim_bridge'),
      /** Connections per process. */
      poolSize: z.number().int().min(1).max(100).default(10),
    }),
  ]);

export const gatewaySchema = z.strictObject({
  server: z
    .strictObject({
      /** Absolute base URL clients reach the gateway at; meta.location uses it. Default: from the request. */
      publicUrl: z.url().optional(),
      /** Largest accepted request body; larger ones get 413. */
      bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
      /** Largest page a list answers (ServiceProviderConfig filter.maxResults). */
      maxResults: z.number().int().min(1).max(10_000).default(1000),
      /** Page size when the client gives no `count`. */
      defaultCount: z.number().int().min(1).max(10_000).default(100),
      /**
       * Group members one request may carry (a POST/PUT list, or the members a PATCH adds, removes or
       * replaces); more gets 400 invalidValue. At most the longest list an attribute may hold.
       */
      maxMembersPerRequest: z.number().int().min(1).max(VALUE_LIMITS.maxArrayLength).default(10_000),
      /**
       * Resources a list may examine in memory, for a filter or sortBy the store cannot answer with an index;
       * more gets 400 tooMany. Entra's own queries narrow to one (they use indexed attributes).
       */
      maxScanCandidates: z.number().int().min(1).max(1_000_000).default(10_000),
      /** Levels of arrays and objects a request body may nest; deeper gets 400 invalidSyntax at the door. */
      maxJsonDepth: z.number().int().min(4).max(MAX_JSON_DEPTH).default(32),
      /** Open connections at most (keep-alive ones included); more are closed as they arrive. */
      maxConnections: z.number().int().min(1).max(1_000_000).default(1000),
      /** On SIGTERM, how long requests in flight may take to finish before their connections are closed. */
      shutdownGraceSeconds: z.number().int().min(0).max(3600).default(10),
    })
    .prefault({}),
  /** The write path shared by every replica (see Store.reserve). */
  writes: z
    .strictObject({
      /**
       * How long a write's claim on a resource lasts if the process holding it dies (kill -9, lost host)
       * before another replica may take the resource over. Must exceed the slowest native call with its
       * retries and rate-limit waits, or a slow write is refused after its native work (503, and Entra's
       * retry then adopts the native record).
       */
      claimLeaseSeconds: z.number().min(1).max(3600).default(120),
      /** How long an update waits for another write on the same resource before it answers 503. */
      claimWaitMs: z.number().int().min(0).max(60_000).default(2000),
    })
    .default({ claimLeaseSeconds: 120, claimWaitMs: 2000 }),
  /** Abuse limits and HTTP server limits (src/auth/config-schema.ts). */
  security: securitySchema,
  /**
   * The operator's listener: /metrics (Prometheus), /admin (a page per app, audit timelines). Apart from
   * the SCIM port and on loopback by default, so the SCIM clients' network never reaches it by accident.
   */
  admin: z
    .strictObject({
      /** host:port, e.g. 127.0.0.1:9464 or 0.0.0.0:9464 (in a container, to be scraped); false: no admin listener. */
      listen: z
        .union([z.literal(false), z.string().regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464')])
        .default('127.0.0.1:9464'),
      /** Collect metrics (false: /metrics is 404 and nothing is counted). */
      metrics: z.boolean().default(true),
    })
    .prefault({}),
  /**
   * Where the gateway keeps its state. Absent: PostgreSQL when SCIM_BRIDGE_DATABASE_URL is set (several
   * replicas may share it), else the embedded SQLite file.
   */
  store: storeSection.optional(),
  /** Files (relative to this configuration file) that each define one extension schema. */
  schemas: z.array(z.string().min(1)).default([]),
  /** Where plugins live, relative to this file (default `<repo>/plugins`; SCIM_BRIDGE_PLUGINS_DIR overrides both). */
  pluginsDir: z.string().min(1).optional(),
  apps: z.record(appName, appSchema).refine((apps) => Object.keys(apps).length > 0, 'at least one app is needed'),
});

export type GatewayConfigInput = z.input<typeof gatewaySchema>;
export type GatewayFileConfig = z.output<typeof gatewaySchema>;
export type AppFileConfig = GatewayFileConfig['apps'][string];

const attributeType = z.enum(['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex', 'binary']);

const subAttributeSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'attribute names start with a letter'),
  type: attributeType,
  description: z.string().optional(),
  multiValued: z.boolean().optional(),
  required: z.boolean().optional(),
  caseExact: z.boolean().optional(),
  mutability: z.enum(['readOnly', 'readWrite', 'immutable', 'writeOnly']).optional(),
  returned: z.enum(['always', 'never', 'default', 'request']).optional(),
  uniqueness: z.enum(['none', 'server', 'global']).optional(),
  canonicalValues: z.array(z.string()).optional(),
  referenceTypes: z.array(z.string()).optional(),
});

const attributeSchema = subAttributeSchema.extend({
  subAttributes: z.array(subAttributeSchema).optional(),
});

/** An extension schema file: RFC 7643 §7 form, with RFC defaults for omitted characteristics. */
export const extensionSchemaFile = z.strictObject({
  id: z.string().regex(/^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s"]+$/, 'must be a URN'),
  name: z.string().min(1),
  description: z.string().default(''),
  /** The resource type the extension extends. */
  resourceType: z.enum(['User', 'Group']),
  attributes: z.array(attributeSchema).min(1),
});

export type ExtensionSchemaFile = z.output<typeof extensionSchemaFile>;
