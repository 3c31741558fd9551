/**
 * `scim-bridge validate`: checks, without starting anything, what start-up checks — the environment
 * contract, the configuration, every plugin in the plugins directory (hooks imported), every app's inbound
 * secret, the store's directory — and lists every problem at once (exit 1), or what it found (exit 0).
 * `--offline` leaves out everything that needs the deployment's credentials: unset variables get stand-ins,
 * secrets are not looked for, and the output says what start-up will need.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveSecrets, SecretError } from '../auth/secrets.js';
import { validatePlugins } from '../plugins/index.js';
import { EnvironmentError, readStartEnvironment } from './environment.js';
import { ConfigError, type GatewayConfig } from './load.js';
import { loadConfigWithStandIns } from './stand-ins.js';

export const VALIDATE_SUMMARY = 'check the configuration and every plugin, as start-up would';

export const VALIDATE_USAGE = `usage: scim-bridge validate [--config <file>] [--offline]

  Checks what start-up checks, without starting: PORT and SCIM_BRIDGE_LOG_LEVEL, the configuration, every
  plugin in the plugins directory (also those no app uses), every app's inbound secret and the store's
  directory. Lists every problem found; exit 1 when there is one.

  --config, -c <file>   the configuration (default: $SCIM_BRIDGE_CONFIG, else config/gateway.yaml)
  --offline             without credentials: unset variables and missing secrets are not problems; the
                        output lists what start-up will need
`;

export interface ValidateIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
}

/** The nearest directory that exists at or above `dir` must be writable for the store to be created. */
function storeProblem(config: GatewayConfig): string | undefined {
  // PostgreSQL is reached at start-up, not checked offline; its URL was checked when the configuration loaded.
  if (config.store.kind !== 'sqlite') return undefined;
  let dir = dirname(config.store.path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch {
    return `store: ${config.store.path}: the directory ${dir} is not writable (SCIM_BRIDGE_DATA_DIR)`;
  }
}

/** Each app's inbound secret as start-up resolves it, generating nothing: problems and notes. */
function secretReport(config: GatewayConfig, env: NodeJS.ProcessEnv): { problems: string[]; notes: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  for (const app of config.apps.values()) {
    try {
      const resolved = resolveSecrets(app, env, config.dataDir, { generate: false });
      if (resolved.generatedIn && resolved.digests.length === 0) {
        notes.push(`app ${app.name}: no secret is set; start-up will generate one in ${resolved.generatedIn}`);
      }
    } catch (error) {
      if (!(error instanceof SecretError)) throw error;
      problems.push(error.message);
    }
  }
  return { problems, notes };
}

/** What the deployment must supply: unset variables, and each app's secret variables. */
function needs(config: GatewayConfig, unset: readonly string[]): string[] {
  const lines = unset.length > 0 ? [`start-up also needs: ${unset.join(', ')} (unset here)`] : [];
  const secrets = [...config.apps.values()].flatMap((app) => {
    const names = app.auth.secrets.flatMap((s) => (s.env === undefined ? [] : Array.isArray(s.env) ? s.env : [s.env]));
    if (names.length === 0) return [];
    const generated = app.auth.whenUnset === 'generate' ? ' (or one generated at the first start)' : '';
    return [`  app ${app.name}: one of ${names.join(', ')}${generated}`];
  });
  if (secrets.length > 0) lines.push('and a secret for each app:', ...secrets);
  return lines;
}

export async function validateCommand(args: string[], io: ValidateIo): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, offline: { type: 'boolean' } }, strict: true });
  const offline = values.offline === true;
  const file = values.config ?? (io.env.SCIM_BRIDGE_CONFIG || 'config/gateway.yaml');
  const problems: string[] = [];
  try {
    readStartEnvironment(io.env);
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    problems.push(...error.problems);
  }

  let loaded;
  try {
    loaded = loadConfigWithStandIns(file, { dataDir: readDataDir(io.env), env: io.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${new ConfigError([...problems, ...error.problems]).message}\n`);
    return 1;
  }
  const { config, unset, unsetProblems } = loaded;
  if (!offline) problems.push(...unsetProblems);
  const appPlugins = [...config.apps.values()].flatMap((app) => (app.plugin ? [app.plugin] : []));
  const plugins = await validatePlugins(config.pluginsDir ?? '', appPlugins);
  problems.push(...plugins.problems);
  const secrets = offline ? { problems: [], notes: [] } : secretReport(config, io.env);
  problems.push(...secrets.problems);
  const store = offline ? undefined : storeProblem(config);
  if (store) problems.push(store);
  if (problems.length > 0) {
    io.stderr.write(`${new ConfigError(problems).message}\n`);
    return 1;
  }

  io.stdout.write(`${config.file}: OK${offline ? ' offline (credentials not checked)' : ''}\n`);
  for (const app of config.apps.values()) {
    const extensions = [...app.registry.extensionSchemas('User'), ...app.registry.extensionSchemas('Group')].map((s) => s.id);
    const rest = app.plugin ? `, plugin ${app.plugin.name} at ${app.downstream?.baseUrl}` : '';
    const scim = app.scim ? `, plugin ${app.scim.plugin.name} at ${app.scim.connection.baseUrl}` : '';
    io.stdout.write(`  app ${app.name}: connector ${app.connector}${rest}${scim}, dialect ${app.dialect}, extensions: ${extensions.join(', ') || 'none'}\n`);
    // What the app gets that the client did not send: each normalize rule, as it will run.
    for (const rule of app.scim?.normalizer.describe() ?? []) io.stdout.write(`    normalize ${rule}\n`);
  }
  for (const plugin of plugins.plugins) {
    const groups = plugin.groups ? 'native groups' : 'gateway-only groups';
    io.stdout.write(`  plugin ${plugin.name}: OK (${plugin.file}; users, ${groups}${plugin.hooks.file ? `; hooks ${plugin.hooks.file}` : ''})\n`);
  }
  for (const line of offline ? needs(config, unset) : secrets.notes) io.stdout.write(`  ${line}\n`);
  return 0;
}

/** SCIM_BRIDGE_DATA_DIR as start-up reads it, also when another variable of the contract is wrong. */
function readDataDir(env: NodeJS.ProcessEnv): string {
  try {
    return readStartEnvironment(env).dataDir;
  } catch {
    return readStartEnvironment({ SCIM_BRIDGE_DATA_DIR: env.SCIM_BRIDGE_DATA_DIR }).dataDir;
  }
}
