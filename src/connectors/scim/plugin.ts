/**
 * A scim plugin: `plugins/<name>/scim.yaml` describes an app that speaks SCIM already — how to reach it
 * (the `connection:` section every connector that calls out shares), its extension schemas, which filters
 * it answers (for adoption), how a delete is done, and how its SCIM differs from the client's (`normalize:`).
 * A plugin.yaml beside it would describe a REST API; the two never share a directory.
 */
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { checkConnection, type ConnectionInput } from '../../connection/settings.js';
import { formatPath, loadSchemaFile, readYamlFile, shownPath, zodProblems } from '../../config/yaml-file.js';
import { normalizeSection, type NormalizeInput } from '../../normalize/index.js';
import { connectionSection } from '../../plugins/format.js';
import type { Problem } from '../../plugins/mapping.js';
import { ENTERPRISE_USER_SCHEMA, enterpriseUserSchema } from '../../scim/schemas/core.js';
import type { SchemaDefinition } from '../../scim/schemas/types.js';
import type { AttrPathRef } from '../../scim/filter/ast.js';

export const SCIM_PLUGIN_FILE = 'scim.yaml';

const filterPath = z.string().regex(/^(?:urn:[^\s"]+:)?[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z][A-Za-z0-9_-]*)?$/, 'must be an attribute path');

const resourceSection = z.strictObject({
  /** Attributes the app answers `eq` filters on: a filter that misses the gateway's record is asked there (adoption). */
  find: z.array(filterPath).max(16).default([]),
  /** `delete`: DELETE downstream; `deactivate`: PATCH active false (the app keeps its people's history). */
  delete: z.enum(['delete', 'deactivate']).default('delete'),
  /** Core attributes or sub-attributes the app requires (`name.givenName`): /Schemas marks them, a write without one is 400. */
  requires: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)?$/, 'must be a core attribute or sub-attribute')).max(32).default([]),
});

export const scimPluginFile = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'plugin names are 1-63 lowercase letters, digits, "-" or "_"'),
  description: z.string().default(''),
  credentials: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), z.string()).default({ token: 'the SCIM bearer token' }),
  connection: connectionSection.default({
    auth: { type: 'bearer', token: '{token}' },
    headers: {},
    timeoutMs: 10_000,
    rateLimit: { requestsPerSecond: 10, concurrency: 4 },
    retry: { attempts: 3, baseDelayMs: 200, maxDelayMs: 5000 },
  }),
  /** Extension schemas the app takes; the enterprise extension is built in (no `file`). */
  schemas: z.array(z.strictObject({ urn: z.string().min(1), file: z.string().min(1).optional() })).default([]),
  users: resourceSection.default({ find: ['userName'], delete: 'delete', requires: [] }),
  groups: resourceSection.extend({ delete: z.literal('delete').default('delete') }).default({ find: ['displayName'], delete: 'delete', requires: [] }),
  normalize: normalizeSection,
});

export type ScimPluginFile = z.output<typeof scimPluginFile>;

/** What a scim app needs of its plugin (or of the defaults, when it names none). */
export interface ScimPlugin {
  name: string;
  /** scim.yaml as shown in messages; undefined for the defaults. */
  file?: string;
  credentials: string[];
  connection: ConnectionInput;
  extensions: Record<'User' | 'Group', SchemaDefinition[]>;
  users: ScimPluginFile['users'];
  groups: ScimPluginFile['groups'];
  normalize: NormalizeInput;
}

/** A scim app without a plugin: bearer `token`, users found by userName, groups by displayName, nothing normalized. */
export const DEFAULT_SCIM_PLUGIN: ScimPlugin = Object.freeze({ name: '(none)', ...fromFile(scimPluginFile.parse({ name: 'none' }), { User: [], Group: [] }) });

function fromFile(file: ScimPluginFile, extensions: ScimPlugin['extensions']): Omit<ScimPlugin, 'name' | 'file'> {
  return { credentials: Object.keys(file.credentials), connection: file.connection, extensions, users: file.users, groups: file.groups, normalize: file.normalize };
}

/** Loads `<pluginsDir>/<name>/scim.yaml`; every problem names the file and the path in it. */
export function loadScimPlugin(pluginsDir: string, name: string, problems: string[]): ScimPlugin | undefined {
  const dir = resolve(pluginsDir, name);
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name) || !existsSync(join(dir, SCIM_PLUGIN_FILE))) {
    problems.push(`no scim plugin "${name}" in ${shownPath(resolve(pluginsDir))} (a scim plugin is <name>/${SCIM_PLUGIN_FILE})`);
    return undefined;
  }
  const full = join(dir, SCIM_PLUGIN_FILE);
  const shown = shownPath(full);
  const raw = readYamlFile(full, problems);
  if (raw === undefined) return undefined;
  const parsed = scimPluginFile.safeParse(raw);
  if (!parsed.success) {
    problems.push(...zodProblems(shown, parsed.error.issues));
    return undefined;
  }
  const file = parsed.data;
  const before = problems.length;
  if (file.name !== name) problems.push(`${shown}: name: "${file.name}" must be the directory's name, "${name}"`);
  const extensions: ScimPlugin['extensions'] = { User: [], Group: [] };
  file.schemas.forEach((entry, i) => {
    if (entry.urn.toLowerCase() === ENTERPRISE_USER_SCHEMA.toLowerCase()) {
      if (entry.file) problems.push(`${shown}: schemas.${i}.file: the enterprise extension is built in; remove "file"`);
      else extensions.User.push(enterpriseUserSchema);
      return;
    }
    if (!entry.file) {
      problems.push(`${shown}: schemas.${i}: ${entry.urn} needs a "file" with its definition`);
      return;
    }
    const schemaFile = resolve(dir, entry.file);
    if (!schemaFile.startsWith(`${dir}${sep}`)) {
      problems.push(`${shown}: schemas.${i}.file: must be inside the plugin directory`);
      return;
    }
    const loaded = loadSchemaFile(schemaFile, problems);
    if (!loaded) return;
    if (loaded.schema.id.toLowerCase() !== entry.urn.toLowerCase()) problems.push(`${shown}: schemas.${i}.urn: ${entry.file} defines ${loaded.schema.id}, not ${entry.urn}`);
    else extensions[loaded.resourceType].push(loaded.schema);
  });
  const connectionProblems: Problem[] = [];
  checkConnection(file.connection, Object.keys(file.credentials), connectionProblems);
  problems.push(...connectionProblems.map((p) => `${shown}: ${formatPath(p.path)}: ${p.message}`));
  if (problems.length > before) return undefined;
  return Object.freeze({ name, file: shown, ...fromFile(file, extensions) });
}

/** What the app requires, as the schema registry takes it (`name.givenName` → name, sub givenName). */
export function requirementsOf(plugin: ScimPlugin): { User: AttrPathRef[]; Group: AttrPathRef[] } {
  const refs = (paths: readonly string[]) =>
    paths.map((p): AttrPathRef => {
      const [name, sub] = p.split('.') as [string, string?];
      return sub === undefined ? { name } : { name, sub };
    });
  return { User: refs(plugin.users.requires), Group: refs(plugin.groups.requires) };
}
