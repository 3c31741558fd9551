/**
 * What a `rest` app entry of the gateway configuration needs at load: its plugin (loaded and compiled
 * once, however many apps use it), the plugin's extension schemas in the app's registry, and the
 * tenant's base URL and credentials resolved from the environment. A missing variable stops start-up
 * with a message naming the app and the variable.
 */
import { isAbsolute, resolve } from 'node:path';
import { createOutboundAuth } from '../connectors/http/auth.js';
import type { ConnectionSettings } from '../connectors/http/types.js';
import { systemClock } from '../connectors/http/clock.js';
import { parseBaseUrl } from '../connectors/http/url.js';
import type { SchemaDefinition } from '../scim/schemas/types.js';
import { defaultPluginsDir, loadPlugin, type PluginLoad } from './load.js';
import type { CompiledPlugin, Downstream } from './types.js';

export const PLUGINS_DIR_ENV = 'SCIM_BRIDGE_PLUGINS_DIR';

export type EnvValue = { env: string; default?: string | undefined };

/** The `rest` parts of an app entry, as config/schema.ts gives them. */
export interface RestAppEntry {
  plugin?: string | undefined;
  downstream?: { baseUrl: string | EnvValue; credentials: Record<string, EnvValue> } | undefined;
}

/** SCIM_BRIDGE_PLUGINS_DIR, else `pluginsDir` (relative to the configuration file), else `<repo>/plugins`. */
export function resolvePluginsDir(configDir: string, configured: string | undefined, env: NodeJS.ProcessEnv): string {
  const fromEnv = env[PLUGINS_DIR_ENV];
  if (fromEnv) return resolve(fromEnv);
  if (configured) return isAbsolute(configured) ? configured : resolve(configDir, configured);
  return defaultPluginsDir();
}

/** Each plugin loaded once per configuration load; its problems reported once. */
export class PluginCache {
  private readonly loads = new Map<string, PluginLoad & { reported: boolean }>();
  constructor(readonly dir: string) {}

  /** The compiled plugin, or undefined with `notFound` set when there is no such plugin (for the caller to say where it is named). */
  get(name: string, problems: string[]): { plugin?: CompiledPlugin; notFound?: string } {
    let load = this.loads.get(name);
    if (!load) this.loads.set(name, (load = { ...loadPlugin(this.dir, name), reported: false }));
    if (!load.reported) {
      problems.push(...load.problems);
      load.reported = true;
    }
    return load;
  }
}

/** The problem for an unset variable; explain recognizes it to stand in for the tenant's secrets. */
export const unsetVariable = (name: string, app: string) => `environment variable ${name} is not set (app ${app})`;
export const UNSET_VARIABLE = /environment variable ([A-Za-z_][A-Za-z0-9_]*) is not set \(app /;

function fromEnv(value: EnvValue, env: NodeJS.ProcessEnv): string | undefined {
  const set = env[value.env];
  return set !== undefined && set !== '' ? set : value.default;
}

/**
 * A plugin's extension schemas join the app's registry-to-be; one the app also declares itself is a
 * problem (the plugin's copy is the one its mapping was written against).
 */
export function addPluginExtensions(
  plugin: { name: string; extensions: Record<'User' | 'Group', readonly SchemaDefinition[]> },
  schemas: Record<'User' | 'Group', SchemaDefinition[]>,
  where: string,
  problems: string[],
): void {
  for (const type of ['User', 'Group'] as const) {
    for (const schema of plugin.extensions[type]) {
      if (schemas[type].some((s) => s.id.toLowerCase() === schema.id.toLowerCase())) {
        problems.push(`${where}.schemas.${type}: ${schema.id} comes with plugin "${plugin.name}"; remove it here`);
      } else {
        schemas[type].push(schema);
      }
    }
  }
}

/**
 * The plugin and the resolved downstream of a rest app; the plugin's extension schemas are added to
 * `schemas` (the app's registry-to-be). `where` is e.g. `config/gateway.yaml: apps.acme`.
 */
export function loadAppPlugin(
  app: RestAppEntry,
  schemas: Record<'User' | 'Group', SchemaDefinition[]>,
  where: string,
  plugins: PluginCache,
  env: NodeJS.ProcessEnv,
  problems: string[],
): { plugin: CompiledPlugin; downstream: Downstream } | undefined {
  if (!app.plugin || !app.downstream) return undefined; // the schema reported it
  const { plugin, notFound } = plugins.get(app.plugin, problems);
  if (notFound) problems.push(`${where}.plugin: ${notFound}`);
  // A plugin that does not load has said why, naming its own file.
  if (!plugin) return undefined;
  const before = problems.length;

  addPluginExtensions(plugin, schemas, where, problems);

  const downstream = resolveDownstream(app.downstream, plugin.credentials, `plugin "${plugin.name}"`, where, env, problems);
  if (problems.length > before || !downstream) return undefined;
  const why = connectionProblem(plugin.connection(downstream));
  if (why) {
    problems.push(`${where}.downstream: ${why} (plugin "${plugin.name}", ${plugin.file}: connection.auth)`);
    return undefined;
  }
  return { plugin, downstream };
}

/**
 * The tenant's base URL and credentials of an app entry, from the environment; each problem names the
 * app, the variable and `owner` (what names the credentials, e.g. `plugin "15five"`).
 */
export function resolveDownstream(
  entry: NonNullable<RestAppEntry['downstream']>,
  names: readonly string[],
  owner: string,
  where: string,
  env: NodeJS.ProcessEnv,
  problems: string[],
): Downstream | undefined {
  const before = problems.length;
  const raw = entry.baseUrl;
  const baseUrl = typeof raw === 'string' ? raw : fromEnv(raw, env);
  if (baseUrl === undefined) {
    problems.push(`${where}.downstream.baseUrl: ${unsetVariable((raw as EnvValue).env, whereApp(where))}`);
  } else if (!/^https?:\/\/[^\s]+$/i.test(baseUrl) || !URL.canParse(baseUrl)) {
    problems.push(`${where}.downstream.baseUrl: not an http(s) URL`);
  }

  const credentials: Record<string, string> = {};
  for (const name of names) {
    const source = entry.credentials[name];
    if (!source) {
      problems.push(`${where}.downstream.credentials: ${owner} needs "${name}" (${names.join(', ')})`);
      continue;
    }
    const value = fromEnv(source, env);
    if (value === undefined) problems.push(`${where}.downstream.credentials.${name}: ${unsetVariable(source.env, whereApp(where))}`);
    else credentials[name] = value;
  }
  for (const name of Object.keys(entry.credentials)) {
    if (!names.includes(name)) {
      problems.push(`${where}.downstream.credentials.${name}: ${owner} has no credential "${name}" (it uses: ${names.join(', ') || 'none'})`);
    }
  }
  if (problems.length > before || baseUrl === undefined) return undefined;
  return secretHolding(baseUrl, credentials);
}

/**
 * What the native client would refuse at start-up (a token URL that resolves to plain http off loopback,
 * a credential a header cannot carry...), found now so it is listed with every other problem instead of
 * stopping start-up with a stack trace. Nothing is sent.
 */
export function connectionProblem(settings: ConnectionSettings): string | undefined {
  try {
    parseBaseUrl(settings.baseUrl);
    createOutboundAuth(settings.auth, { clock: systemClock, signal: new AbortController().signal, timeoutMs: settings.timeoutMs });
    return undefined;
  } catch (error) {
    if (error instanceof TypeError) return error.message;
    throw error;
  }
}

const whereApp = (where: string) => where.slice(where.lastIndexOf('apps.') + 5);

/** Credentials are not enumerable: logging or serializing an app's configuration cannot spill them. */
function secretHolding(baseUrl: string, credentials: Record<string, string>): Downstream {
  const downstream = { baseUrl } as Downstream;
  Object.defineProperty(downstream, 'credentials', { value: Object.freeze(credentials), enumerable: false });
  return Object.freeze(downstream);
}
