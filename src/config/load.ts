/**
 * Loads the gateway configuration once: YAML → schema validation → references checked → frozen.
 * Every problem found is reported in one ConfigError, each naming the file and the path in it.
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { enterpriseUserSchema, ENTERPRISE_USER_SCHEMA } from '../scim/schemas/core.js';
import { SchemaRegistry } from '../scim/schemas/registry.js';
import type { SchemaDefinition } from '../scim/schemas/types.js';
import { checkAppAuth, checkSecurity } from '../auth/config-check.js';
import { gatewaySchema, storeSection, type AppFileConfig, type GatewayFileConfig } from './schema.js';
import { loadSchemaFile, readYamlFile, shownPath, zodProblems } from './yaml-file.js';
import { loadAppPlugin, PluginCache, resolvePluginsDir } from '../plugins/app-config.js';
import type { CompiledPlugin, Downstream } from '../plugins/types.js';
import type { StoreConfig } from '../store/index.js';
import { loadScimApp, type ScimApp } from '../connectors/scim/app-config.js';
import { requirementsOf } from '../connectors/scim/plugin.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface AppConfig {
  name: string;
  connector: AppFileConfig['connector'];
  dialect: AppFileConfig['dialect'];
  auth: AppFileConfig['auth'];
  uniqueGroupDisplayName: boolean;
  registry: SchemaRegistry;
  /** rest apps: the compiled plugin (shared by the apps that use it). */
  plugin?: CompiledPlugin;
  /** rest apps: the tenant's base URL and credentials, resolved from the environment (credentials not enumerable). */
  downstream?: Downstream;
  /** scim apps: the plugin (or the defaults), the connection and the compiled normalization. */
  scim?: ScimApp;
  /** rest apps: the header native calls carry the inbound request id in; absent: none. */
  requestIdHeader?: string;
}

export interface GatewayConfig {
  /** The configuration file, for messages. */
  file: string;
  dataDir: string;
  server: GatewayFileConfig['server'];
  security: GatewayFileConfig['security'];
  writes: GatewayFileConfig['writes'];
  admin: GatewayFileConfig['admin'];
  store: StoreConfig;
  apps: ReadonlyMap<string, AppConfig>;
  /** Where plugins were read from (validate checks every plugin there). */
  pluginsDir?: string;
}

export interface LoadOptions {
  /** Where relative store paths and generated secrets live (SCIM_BRIDGE_DATA_DIR). */
  dataDir: string;
  /** Where rest apps' credentials and base URLs (and SCIM_BRIDGE_PLUGINS_DIR) are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

function loadExtensionSchemas(
  configDir: string,
  files: string[],
  problems: string[],
): Map<string, { schema: SchemaDefinition; resourceType: 'User' | 'Group' }> {
  const byUrn = new Map<string, { schema: SchemaDefinition; resourceType: 'User' | 'Group' }>();
  byUrn.set(ENTERPRISE_USER_SCHEMA.toLowerCase(), { schema: enterpriseUserSchema, resourceType: 'User' });
  for (const file of files) {
    const full = resolve(configDir, file);
    const loaded = loadSchemaFile(full, problems);
    if (!loaded) continue;
    const { id } = loaded.schema;
    if (byUrn.has(id.toLowerCase())) {
      problems.push(`${shownPath(full)}: id: schema ${id} is defined more than once`);
      continue;
    }
    byUrn.set(id.toLowerCase(), loaded);
  }
  return byUrn;
}

/** Reads, validates and freezes the configuration at `file`. Throws ConfigError listing every problem. */
export function loadConfig(file: string, options: LoadOptions): GatewayConfig {
  const problems: string[] = [];
  const shown = relative(process.cwd(), resolve(file)) || file;
  const raw = readYamlFile(resolve(file), problems);
  if (raw === undefined) throw new ConfigError(problems);

  const parsed = gatewaySchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(zodProblems(shown, parsed.error.issues));
  const cfg = parsed.data;

  const extensions = loadExtensionSchemas(dirname(resolve(file)), cfg.schemas, problems);
  const apps = new Map<string, AppConfig>();
  const env = options.env ?? process.env;
  const plugins = new PluginCache(resolvePluginsDir(dirname(resolve(file)), cfg.pluginsDir, env));
  for (const [name, app] of Object.entries(cfg.apps)) {
    const perType: Record<'User' | 'Group', SchemaDefinition[]> = { User: [], Group: [] };
    for (const type of ['User', 'Group'] as const) {
      app.schemas[type].forEach((urn, i) => {
        const found = extensions.get(urn.toLowerCase());
        const where = `${shown}: apps.${name}.schemas.${type}.${i}`;
        if (!found) problems.push(`${where}: unknown extension schema ${urn} (declare its file under "schemas")`);
        else if (found.resourceType !== type) problems.push(`${where}: ${urn} extends ${found.resourceType}, not ${type}`);
        else if (perType[type].includes(found.schema)) problems.push(`${where}: ${urn} is listed twice`);
        else perType[type].push(found.schema);
      });
    }
    const rest = app.connector === 'rest' ? loadAppPlugin(app, perType, `${shown}: apps.${name}`, plugins, env, problems) : undefined;
    const scim = app.connector === 'scim' ? loadScimApp(app, perType, `${shown}: apps.${name}`, plugins.dir, env, problems) : undefined;
    const auth = checkAppAuth(app.auth, dirname(resolve(file)), `${shown}: apps.${name}.auth`, problems);
    apps.set(
      name,
      Object.freeze({
        name,
        connector: app.connector,
        dialect: app.dialect,
        auth,
        uniqueGroupDisplayName: app.groups.uniqueDisplayName,
        // A rest or scim app's schemas require what its API requires (the plugin's `requires`).
        registry: new SchemaRegistry({ User: perType.User, Group: perType.Group }, rest?.plugin.requires ?? (scim ? requirementsOf(scim.plugin) : undefined)),
        ...(rest ? { plugin: rest.plugin, downstream: rest.downstream } : {}),
        ...(scim ? { scim } : {}),
        ...((rest || scim) && app.downstream?.requestIdHeader ? { requestIdHeader: app.downstream.requestIdHeader } : {}),
      }),
    );
  }
  checkSecurity(cfg.security, new Set(apps.keys()), `${shown}: security`, problems);
  const store = storeConfigOf(cfg.store, env, options.dataDir, `${shown}: store`, problems);
  if (problems.length > 0 || !store) throw new ConfigError(problems);

  return Object.freeze({
    file: shown,
    dataDir: options.dataDir,
    server: Object.freeze({ ...cfg.server }),
    security: Object.freeze(cfg.security),
    writes: Object.freeze({ ...cfg.writes }),
    admin: Object.freeze({ ...cfg.admin }),
    store: Object.freeze(store),
    apps,
    pluginsDir: plugins.dir,
  });
}

/**
 * The store to open: as configured, or (no `store` section) PostgreSQL when SCIM_BRIDGE_DATABASE_URL is
 * set and the embedded SQLite file otherwise. The URL is read now; it is never shown in a message.
 */
function storeConfigOf(
  section: GatewayFileConfig['store'],
  env: NodeJS.ProcessEnv,
  dataDir: string,
  where: string,
  problems: string[],
): StoreConfig | undefined {
  // No section: the schema's defaults of the kind the environment picks.
  const configured = section ?? storeSection.parse({ kind: env.SCIM_BRIDGE_DATABASE_URL ? 'postgres' : 'sqlite' });
  if (configured.kind === 'sqlite') {
    const path = isAbsolute(configured.path) ? configured.path : resolve(dataDir, configured.path);
    return { kind: 'sqlite', path, busyTimeoutMs: configured.busyTimeoutMs };
  }
  const url = env[configured.url.env] || configured.url.default;
  if (!url) {
    problems.push(`${where}.url: the environment variable ${configured.url.env} is not set`);
    return undefined;
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    problems.push(`${where}.url: ${configured.url.env} must be a postgres:// URL`);
    return undefined;
  }
  return { kind: 'postgres', url, schema: configured.schema, poolSize: configured.poolSize };
}
