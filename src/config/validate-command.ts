/**
 * `scim-bridge validate`: loads the configuration and every plugin in the plugins directory as start-up
 * would, and lists every problem (exit 1) or what it found (exit 0).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { validatePlugins } from '../plugins/index.js';
import { ConfigError, loadConfig } from './load.js';

export const VALIDATE_SUMMARY = 'check the configuration and every plugin, as start-up would';

export const VALIDATE_USAGE = `usage: scim-bridge validate [--config <file>]

  Checks the gateway configuration and every plugin in the plugins directory (also those no app uses),
  and lists every problem found; exit 1 when there is one.

  --config, -c <file>   the configuration (default: $SCIM_BRIDGE_CONFIG, else config/gateway.yaml)
`;

export interface ValidateIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
}

export async function validateCommand(args: string[], io: ValidateIo): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, strict: true });
  const file = values.config ?? io.env.SCIM_BRIDGE_CONFIG ?? 'config/gateway.yaml';
  try {
    const config = loadConfig(file, { dataDir: resolve(io.env.SCIM_BRIDGE_DATA_DIR ?? './data'), env: io.env });
    const loaded = [...config.apps.values()].flatMap((app) => (app.plugin ? [app.plugin] : []));
    const plugins = await validatePlugins(config.pluginsDir ?? '', loaded);
    if (plugins.problems.length > 0) throw new ConfigError(plugins.problems);
    io.stdout.write(`${config.file}: OK\n`);
    for (const app of config.apps.values()) {
      const extensions = [...app.registry.extensionSchemas('User'), ...app.registry.extensionSchemas('Group')].map((s) => s.id);
      const rest = app.plugin ? `, plugin ${app.plugin.name} at ${app.downstream?.baseUrl}` : '';
      io.stdout.write(`  app ${app.name}: connector ${app.connector}${rest}, dialect ${app.dialect}, extensions: ${extensions.join(', ') || 'none'}\n`);
    }
    for (const plugin of plugins.plugins) {
      const groups = plugin.groups ? 'native groups' : 'gateway-only groups';
      io.stdout.write(`  plugin ${plugin.name}: OK (${plugin.file}; users, ${groups}${plugin.hooks.file ? `; hooks ${plugin.hooks.file}` : ''})\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
