#!/usr/bin/env node
/**
 * `scim-bridge <command>`: operator commands that need no running gateway.
 *   validate [--config <file>]   check the whole configuration; exit 1 listing every problem
 *   hash-secret [--cost <N>]     read a secret from stdin, print its salted scrypt hash
 *   explain --app <app>          read a SCIM request on stdin, print the native calls it would cause
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/load.js';
import { HASH_SECRET_USAGE, hashSecretCommand } from './auth/hash-secret-command.js';
import { EXPLAIN_USAGE, explainCommand } from './connectors/rest/explain-command.js';
import { validatePlugins } from './plugins/index.js';

const USAGE = `usage: scim-bridge validate [--config <file>]

  validate   check the gateway configuration (default: $SCIM_BRIDGE_CONFIG or config/gateway.yaml)
             and every plugin in the plugins directory
${HASH_SECRET_USAGE}${EXPLAIN_USAGE}`;

async function validate(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, strict: true });
  const file = values.config ?? process.env.SCIM_BRIDGE_CONFIG ?? 'config/gateway.yaml';
  try {
    const config = loadConfig(file, { dataDir: resolve(process.env.SCIM_BRIDGE_DATA_DIR ?? './data') });
    const loaded = [...config.apps.values()].flatMap((app) => (app.plugin ? [app.plugin] : []));
    const plugins = await validatePlugins(config.pluginsDir ?? '', loaded);
    if (plugins.problems.length > 0) throw new ConfigError(plugins.problems);
    process.stdout.write(`${config.file}: OK\n`);
    for (const app of config.apps.values()) {
      const extensions = [...app.registry.extensionSchemas('User'), ...app.registry.extensionSchemas('Group')].map((s) => s.id);
      const rest = app.plugin ? `, plugin ${app.plugin.name} at ${app.downstream?.baseUrl}` : '';
      process.stdout.write(`  app ${app.name}: connector ${app.connector}${rest}, dialect ${app.dialect}, extensions: ${extensions.join(', ') || 'none'}\n`);
    }
    for (const plugin of plugins.plugins) {
      const groups = plugin.groups ? 'native groups' : 'gateway-only groups';
      process.stdout.write(`  plugin ${plugin.name}: OK (${plugin.file}; users, ${groups}${plugin.hooks.file ? `; hooks ${plugin.hooks.file}` : ''})\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function run(argv: string[]): number | Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'validate':
        return validate(rest).catch((error: unknown) => {
          process.stderr.write(`scim-bridge: ${error instanceof Error ? error.message : String(error)}\n`);
          return 2;
        });
      case 'explain':
        return explainCommand(rest, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }).catch((error: unknown) => {
          process.stderr.write(`scim-bridge: ${error instanceof Error ? error.message : String(error)}\n`);
          return 2;
        });
      case 'hash-secret':
        return hashSecretCommand(rest, process).catch((error: unknown) => {
          process.stderr.write(`scim-bridge: ${error instanceof Error ? error.message : String(error)}\n`);
          return 2;
        });
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`scim-bridge: unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    process.stderr.write(`scim-bridge: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

void Promise.resolve(run(process.argv.slice(2))).then((code) => {
  process.exitCode = code;
});
