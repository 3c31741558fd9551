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

/** Every credential template of the auth settings, with where it is. */
function authTemplates(auth: AuthInput): [string[], string][] {
  const out: [string[], string][] = [];
  for (const [key, value] of Object.entries(auth)) {
    if (key === 'type' || key === 'header' || key === 'prefix' || key === 'token' || key === 'expiresIn') continue;
    if (typeof value === 'string') out.push([[key], value]);
  }
  if (auth.type === 'token') {
    out.push([['request', 'url'], auth.request.url]);
    for (const part of ['json', 'form'] as const) {
      for (const [name, value] of Object.entries(auth.request[part] ?? {})) out.push([['request', part, name], value]);
    }
  }
  return out;
}

/** A token URL is absolute (https, or http on loopback) or, starting with "/", relative to the app's base URL. */
function checkTokenUrl(template: string, at: string[], problems: Problem[]): void {
  const literal = template.replace(/\{[A-Za-z_][A-Za-z0-9_]*\}/g, 'x');
  if (literal.startsWith('/')) {
    if (literal.startsWith('//')) problems.push({ path: at, message: `"${template}" is neither an absolute URL nor a path below the base URL` });
    return;
  }
  if (!/^https?:\/\/[^\s/]+/i.test(literal)) {
    problems.push({ path: at, message: `"${template}" must be an absolute http(s) URL, or a path starting with "/" below the app's base URL` });
  }
}

function checkConnection(file: PluginFile, credentials: string[], problems: Problem[]): void {
  const auth = file.connection.auth;
  for (const [key, value] of authTemplates(auth)) {
    try {
      checkValueTemplate(value, credentials);
    } catch (error) {
      problems.push({ path: ['connection', 'auth', ...key], message: `${(error as Error).message.replace('this operation offers', 'credentials are')}` });
    }
  }
  if (auth.type === 'oauth2') checkTokenUrl(auth.tokenUrl, ['connection', 'auth', 'tokenUrl'], problems);
  if (auth.type === 'token') {
    checkTokenUrl(auth.request.url, ['connection', 'auth', 'request', 'url'], problems);
    if (auth.request.json && auth.request.form) problems.push({ path: ['connection', 'auth', 'request'], message: 'give the credentials as "json" or as "form", not both' });
  }
  for (const [name, value] of Object.entries(file.connection.headers)) {
    try {
      checkValueTemplate(value, credentials);
    } catch (error) {
      problems.push({ path: ['connection', 'headers', name], message: (error as Error).message.replace('this operation offers', 'credentials are') });
    }
  }
}

/** A token URL as the client needs it: relative ones are resolved below the app's base URL. */
function tokenUrlOf(url: string, baseUrl: string): string {
  return url.startsWith('/') ? `${baseUrl.replace(/\/+$/, '')}${url}` : url;
}

function connectionSettings(file: PluginFile, downstream: Downstream): ConnectionSettings {
  const fill = (t: string) => renderValue(t, downstream.credentials) as string;
  const fillAll = (record: Record<string, string> | undefined) => record && Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fill(v)]));
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
        tokenUrl: tokenUrlOf(fill(a.tokenUrl), downstream.baseUrl),
        clientId: fill(a.clientId),
        clientSecret: fill(a.clientSecret),
        ...(a.scope === undefined ? {} : { scope: fill(a.scope) }),
        ...(a.audience === undefined ? {} : { audience: fill(a.audience) }),
        refreshOn: a.refreshOn,
      };
      break;
    case 'token': {
      const json = fillAll(a.request.json);
      const form = fillAll(a.request.form);
      auth = {
        type: 'token',
        request: { method: a.request.method, url: tokenUrlOf(fill(a.request.url), downstream.baseUrl), ...(json ? { json } : {}), ...(form ? { form } : {}) },
        token: a.token,
        ...(a.expiresIn === undefined ? {} : { expiresIn: a.expiresIn }),
        lifetimeSeconds: a.lifetimeSeconds,
        header: a.header,
        prefix: a.prefix,
        refreshOn: a.refreshOn,
      };
      break;
    }
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
