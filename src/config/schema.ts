/**
 * The gateway configuration's one schema, defaults beside each field. Validated once at start-up
 * (load.ts); the result is frozen and nothing reads the YAML again.
 */
import { z } from 'zod';
import { appAuthSchema, securitySchema } from '../auth/config-schema.js';

const appName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'app names are 1-63 lowercase letters, digits, "-" or "_"');

const schemaUrn = z.string().min(1);

const appSchema = z.strictObject({
  /** `store`: the gateway itself is the system of record. */
  connector: z.literal('store'),
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
});

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
    })
    .default({ bodyLimitBytes: 1024 * 1024, maxResults: 1000, defaultCount: 100 }),
  /** Abuse limits and HTTP server limits (src/auth/config-schema.ts). */
  security: securitySchema,
  store: z
    .discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('sqlite'),
        /** Relative paths are inside SCIM_BRIDGE_DATA_DIR. */
        path: z.string().min(1).default('scim-bridge.db'),
      }),
    ])
    .default({ kind: 'sqlite', path: 'scim-bridge.db' }),
  /** Files (relative to this configuration file) that each define one extension schema. */
  schemas: z.array(z.string().min(1)).default([]),
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
