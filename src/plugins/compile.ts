/**
 * Turns a validated plugin.yaml into a CompiledPlugin: schemas and aliases registered, every path
 * resolved, every rule and template checked, every operation's parameters known. Problems are collected
 * (path in the file + what is wrong), never thrown one by one, so an author sees them all at once.
 */
import type { ConnectionSettings, OutboundAuth } from '../connectors/http/types.js';
import { ScimError, SCIM_TYPES, type ScimType } from '../scim/errors.js';
import { commonAttributes, ENTERPRISE_USER_SCHEMA, enterpriseUserSchema, groupSchema, userSchema } from '../scim/schemas/core.js';
import { SchemaRegistry, type ResourceTypeName } from '../scim/schemas/registry.js';
import type { SchemaDefinition } from '../scim/schemas/types.js';
import type { AuthInput, PluginFile } from './format.js';
import type { HookSlot } from './hooks.js';
import { compileResource } from './compile-resource.js';
import type { Problem } from './mapping.js';
import type { PathScope } from './scim-paths.js';
import { checkValueTemplate, renderValue } from './templates.js';
import type { CompiledErrorRule, CompiledPlugin, Downstream } from './types.js';

import type { LoadedSchema } from '../config/yaml-file.js';

export type { LoadedSchema };

export interface CompileInput {
  file: PluginFile;
  dir: string;
  /** plugin.yaml as shown in messages. */
  shown: string;
  /** Reads `schemas[i].file` (relative to the plugin directory); reports its own problems. */
  loadSchema(relativeFile: string, index: number): LoadedSchema | undefined;
  hooks: HookSlot;
}

export function compilePlugin(input: CompileInput, problems: Problem[]): CompiledPlugin | undefined {
  const { file } = input;
  const before = problems.length;

  // Schemas and aliases.
  const extensions: Record<ResourceTypeName, SchemaDefinition[]> = { User: [], Group: [] };
  const aliases: Record<ResourceTypeName, Map<string, string>> = { User: new Map(), Group: new Map() };
  const seenAliases = new Set<string>();
  file.schemas.forEach((entry, i) => {
    let loaded: LoadedSchema | undefined;
    if (entry.urn.toLowerCase() === ENTERPRISE_USER_SCHEMA.toLowerCase()) {
      if (entry.file) problems.push({ path: ['schemas', i, 'file'], message: 'the enterprise extension is built in; remove "file"' });
      loaded = { schema: enterpriseUserSchema, resourceType: 'User' };
    } else if (!entry.file) {
      problems.push({ path: ['schemas', i], message: `${entry.urn} needs a "file" with its definition` });
    } else {
      loaded = input.loadSchema(entry.file, i);
      if (loaded && loaded.schema.id.toLowerCase() !== entry.urn.toLowerCase()) {
        problems.push({ path: ['schemas', i, 'urn'], message: `${entry.file} defines ${loaded.schema.id}, not ${entry.urn}` });
        loaded = undefined;
      }
    }
    if (seenAliases.has(entry.alias)) problems.push({ path: ['schemas', i, 'alias'], message: `alias "${entry.alias}" is used twice` });
    seenAliases.add(entry.alias);
    if (!loaded) return;
    const type = loaded.resourceType;
    const core = type === 'User' ? ['userName', 'name', 'emails'] : ['displayName', 'members'];
    if (['value', 'now'].includes(entry.alias) || attributeNameTaken(entry.alias, type)) {
      problems.push({ path: ['schemas', i, 'alias'], message: `alias "${entry.alias}" is taken by a ${type} attribute or a rule variable (e.g. ${core.join(', ')}, value, now)` });
      return;
    }
    if (extensions[type].some((s) => s.id.toLowerCase() === loaded.schema.id.toLowerCase())) {
      problems.push({ path: ['schemas', i, 'urn'], message: `${entry.urn} is listed twice` });
      return;
    }
    extensions[type].push(loaded.schema);
    aliases[type].set(entry.alias, loaded.schema.id);
  });
  let registry: SchemaRegistry;
  try {
    registry = new SchemaRegistry({ User: extensions.User, Group: extensions.Group });
  } catch (error) {
    problems.push({ path: ['schemas'], message: (error as Error).message });
    return undefined;
  }

  const tables = new Map(Object.entries(file.tables));
  const scope = (type: ResourceTypeName): PathScope => ({ registry, type, aliases: aliases[type] });
  const users = compileResource('users', file.users, scope('User'), tables, problems);
  const groups = file.groups === 'gateway-only' ? undefined : compileResource('groups', file.groups, scope('Group'), tables, problems);
  const errors = compileErrorRules(file, problems);
  const credentials = Object.keys(file.credentials);
  checkConnection(file, credentials, problems);
  if (problems.length > before || !users) return undefined;

  return Object.freeze({
    name: file.name,
    description: file.description,
    dir: input.dir,
    file: input.shown,
    credentials,
    extensions: { User: extensions.User, Group: extensions.Group },
    registry,
    users,
    requires: { User: users.requires, Group: groups?.requires ?? [] },
    ...(groups ? { groups } : {}),
    errors,
    connection: (downstream: Downstream) => connectionSettings(file, downstream),
    hooks: input.hooks,
  });
}

function attributeNameTaken(name: string, type: ResourceTypeName): boolean {
  const lower = name.toLowerCase();
  const core = type === 'User' ? userSchema : groupSchema;
  return [...core.attributes, ...commonAttributes].some((a) => a.name.toLowerCase() === lower);
}

function compileErrorRules(file: PluginFile, problems: Problem[]): CompiledErrorRule[] {
  return file.errors.flatMap((rule, i) => {
    const statuses = Array.isArray(rule.status) ? rule.status : [rule.status];
    const base = {
      statuses,
      ...(rule.operation ? { operation: rule.operation } : {}),
      ...(rule.bodyContains ? { bodyContains: rule.bodyContains.toLowerCase() } : {}),
      ...(rule.header ? { header: { name: rule.header.name.toLowerCase(), contains: rule.header.contains.toLowerCase() } } : {}),
    };
    if (!rule.scim) return [base];
    const { status, scimType, detail } = rule.scim;
    if (scimType !== undefined && !Object.hasOwn(SCIM_TYPES, scimType)) {
      problems.push({ path: ['errors', i, 'scim', 'scimType'], message: `unknown scimType "${scimType}" (RFC 7644: ${Object.keys(SCIM_TYPES).join(', ')})` });
      return [];
    }
    try {
      new ScimError(status, scimType as ScimType | undefined, 'check');
    } catch (error) {
      problems.push({ path: ['errors', i, 'scim'], message: (error as Error).message });
      return [];
    }
    const compiled: CompiledErrorRule = {
      ...base,
      scim: { status, ...(scimType ? { scimType } : {}), detail: detail ?? `The downstream system refused the request (HTTP ${status})` },
    };
    return [compiled];
  });
}

function authTemplates(auth: AuthInput): [string, string][] {
  return Object.entries(auth).filter((e): e is [string, string] => e[0] !== 'type' && e[0] !== 'header' && typeof e[1] === 'string');
}

function checkConnection(file: PluginFile, credentials: string[], problems: Problem[]): void {
  for (const [key, value] of authTemplates(file.connection.auth)) {
    try {
      checkValueTemplate(value, credentials);
    } catch (error) {
      problems.push({ path: ['connection', 'auth', key], message: `${(error as Error).message.replace('this operation offers', 'credentials are')}` });
    }
  }
  for (const [name, value] of Object.entries(file.connection.headers)) {
    try {
      checkValueTemplate(value, credentials);
    } catch (error) {
      problems.push({ path: ['connection', 'headers', name], message: (error as Error).message.replace('this operation offers', 'credentials are') });
    }
  }
}

function connectionSettings(file: PluginFile, downstream: Downstream): ConnectionSettings {
  const fill = (t: string) => renderValue(t, downstream.credentials) as string;
  const a = file.connection.auth;
  let auth: OutboundAuth;
  switch (a.type) {
    case 'none':
      auth = { type: 'none' };
      break;
    case 'header':
      auth = { type: 'header', header: a.header, value: fill(a.value), ...(a.prefix === undefined ? {} : { prefix: a.prefix }) };
      break;
    case 'basic':
      auth = { type: 'basic', username: fill(a.username), password: fill(a.password) };
      break;
    case 'bearer':
      auth = { type: 'bearer', token: fill(a.token) };
      break;
    case 'oauth2':
      auth = {
        type: 'oauth2',
        tokenUrl: fill(a.tokenUrl),
        clientId: fill(a.clientId),
        clientSecret: fill(a.clientSecret),
        ...(a.scope === undefined ? {} : { scope: fill(a.scope) }),
        ...(a.audience === undefined ? {} : { audience: fill(a.audience) }),
      };
      break;
  }
  const headers = Object.fromEntries(Object.entries(file.connection.headers).map(([k, v]) => [k, fill(v)]));
  const { timeoutMs, rateLimit, retry } = file.connection;
  return {
    baseUrl: downstream.baseUrl,
    auth,
    ...(Object.keys(headers).length ? { headers } : {}),
    timeoutMs,
    rateLimit: { ...rateLimit },
    retry: { ...retry },
  };
}
