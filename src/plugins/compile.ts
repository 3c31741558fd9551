/**
 * Turns a validated plugin.yaml into a CompiledPlugin: schemas and aliases registered, every path
 * resolved, every rule and template checked, every operation's parameters known. Problems are collected
 * (path in the file + what is wrong), never thrown one by one, so an author sees them all at once.
 */
import { checkConnection, connectionSettings } from '../connection/settings.js';
import { ScimError, SCIM_TYPES, type ScimType } from '../scim/errors.js';
import { commonAttributes, ENTERPRISE_USER_SCHEMA, enterpriseUserSchema, groupSchema, userSchema } from '../scim/schemas/core.js';
import { SchemaRegistry, type ResourceTypeName } from '../scim/schemas/registry.js';
import type { SchemaDefinition } from '../scim/schemas/types.js';
import type { PluginFile } from './format.js';
import type { HookSlot } from './hooks.js';
import { compileResource } from './compile-resource.js';
import type { Problem } from './mapping.js';
import type { PathScope } from './scim-paths.js';
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
  checkConnection(file.connection, credentials, problems);
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
    connection: (downstream: Downstream) => connectionSettings(file.connection, downstream),
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
    const success = statuses.filter((s) => s < 300);
    if (success.length > 0 && rule.ignore) {
      problems.push({ path: ['errors', i, 'ignore'], message: `a ${success.join(', ')} answer is success already: a rule on it says which failure it means ("scim")` });
      return [];
    }
    if (statuses.some((s) => s >= 300 && s < 400)) {
      problems.push({ path: ['errors', i, 'status'], message: 'a rule is about a 2xx answer that means failure, or a 4xx/5xx one' });
      return [];
    }
    const base: CompiledErrorRule = {
      statuses,
      ...(rule.operation ? { operations: Array.isArray(rule.operation) ? rule.operation : [rule.operation] } : {}),
      ...(rule.bodyContains ? { bodyContains: rule.bodyContains.toLowerCase() } : {}),
      ...(rule.header ? { header: { name: rule.header.name.toLowerCase(), contains: rule.header.contains.toLowerCase() } } : {}),
    };
    if (rule.bodyField) {
      const field = rule.bodyField;
      const equals = Object.hasOwn(field, 'equals');
      if (field.notEmpty === true && !equals) base.bodyField = { path: field.path, notEmpty: true };
      else if (equals && field.notEmpty === undefined) base.bodyField = { path: field.path, equals: { value: field.equals } };
      else problems.push({ path: ['errors', i, 'bodyField'], message: 'give "equals" (a value) or "notEmpty: true", one of them' });
    }
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

