/**
 * What a `scim` app entry needs at load: its plugin (or the defaults), the plugin's extension schemas in
 * the app's registry, the tenant's base URL and token from the environment, and the normalization (the
 * plugin's rules, then the app's own) compiled. A tenant URN renamed to the app's is accepted at the
 * door under the tenant's name: the registry gets it as a copy of the app's schema.
 */
import { connectionSettings } from '../../connection/settings.js';
import type { ConnectionSettings } from '../http/types.js';
import { compileNormalizer, mergeNormalize, type NormalizeInput, type Normalizer } from '../../normalize/index.js';
import { addPluginExtensions, connectionProblem, resolveDownstream, type RestAppEntry } from '../../plugins/app-config.js';
import type { SchemaDefinition } from '../../scim/schemas/types.js';
import { DEFAULT_SCIM_PLUGIN, loadScimPlugin, type ScimPlugin } from './plugin.js';

export interface ScimAppEntry extends RestAppEntry {
  normalize?: NormalizeInput | undefined;
}

/** A scim app as the connector needs it. */
export interface ScimApp {
  plugin: ScimPlugin;
  /** The native client's settings, credentials filled in (not enumerable on the downstream they came from). */
  connection: ConnectionSettings;
  normalizer: Normalizer;
}

export function loadScimApp(
  app: ScimAppEntry,
  schemas: Record<'User' | 'Group', SchemaDefinition[]>,
  where: string,
  pluginsDir: string,
  env: NodeJS.ProcessEnv,
  problems: string[],
): ScimApp | undefined {
  if (!app.downstream) return undefined; // the schema reported it
  const before = problems.length;
  const plugin = app.plugin ? loadScimPlugin(pluginsDir, app.plugin, problems) : DEFAULT_SCIM_PLUGIN;
  if (!plugin) return undefined;
  addPluginExtensions(plugin, schemas, where, problems);
  const rules = mergeNormalize(plugin.normalize, app.normalize ?? { urns: [], attributes: [], values: [] });
  addTenantUrns(rules, schemas, `${where}.normalize`, problems);
  const normalizer = compileNormalizer(rules, `${where}.normalize`, problems);
  const owner = app.plugin ? `plugin "${plugin.name}"` : 'a scim app without a plugin';
  const downstream = resolveDownstream(app.downstream, plugin.credentials, owner, where, env, problems);
  if (problems.length > before || !downstream || !normalizer) return undefined;
  const connection = connectionSettings(plugin.connection, downstream);
  const why = connectionProblem(connection);
  if (why) {
    problems.push(`${where}.downstream: ${why}`);
    return undefined;
  }
  return Object.freeze({ plugin, connection, normalizer });
}

/** Each `urns` rule's tenant URN becomes a schema of the app, with the attributes of the URN it stands for. */
function addTenantUrns(rules: NormalizeInput, schemas: Record<'User' | 'Group', SchemaDefinition[]>, where: string, problems: string[]): void {
  rules.urns.forEach(({ from, to }, i) => {
    const known = (urn: string) =>
      (['User', 'Group'] as const).map((type) => ({ type, schema: schemas[type].find((s) => s.id.toLowerCase() === urn.toLowerCase()) })).find((f) => f.schema);
    const target = known(to);
    if (!target?.schema) {
      problems.push(`${where}.urns.${i}.to: ${to} is not a schema of this app (declare it under "schemas" or in the plugin)`);
      return;
    }
    if (known(from)) return; // declared by the operator: kept as declared
    schemas[target.type].push({ ...target.schema, id: from, description: `${target.schema.description} (this tenant's URN for ${to})` });
  });
}
