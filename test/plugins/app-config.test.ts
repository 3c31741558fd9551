/** rest apps in the gateway configuration: plugin, downstream from the environment, schemas, plugins directory. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { basePlugin, removePluginDirs, writePlugins } from './fixtures.js';

const dirs: string[] = [];
afterAll(() => {
  removePluginDirs();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function configFile(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-restcfg-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'gateway.yaml'), yaml);
  return join(dir, 'gateway.yaml');
}

const app = (lines: string[]) =>
  ['apps:', '  acme:', '    connector: rest', '    auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN }] }', ...lines.map((l) => `    ${l}`)].join('\n');

const FIFTEEN_FIVE_APP = app([
  'plugin: 15five',
  'downstream:',
  '  baseUrl: { env: ACME_15FIVE_URL, default: "https://my.15five.com/api/public" }',
  '  credentials:',
  '    apiKey: { env: ACME_15FIVE_KEY }',
]);

function problemsOf(file: string, env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(file, { dataDir: '/tmp', env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('rest apps', () => {
  it('load the bundled plugin, resolve the downstream from the environment and serve the plugin\'s schemas', () => {
    const config = loadConfig(configFile(FIFTEEN_FIVE_APP), { dataDir: '/tmp', env: { ACME_15FIVE_KEY: 'k-123' } });
    const acme = config.apps.get('acme')!;
    expect(acme.connector).toBe('rest');
    expect(acme.plugin?.name).toBe('15five');
    expect(acme.downstream?.baseUrl).toBe('https://my.15five.com/api/public');
    expect(acme.downstream?.credentials).toEqual({ apiKey: 'k-123' });
    // Not enumerable: a logged or serialized configuration does not carry the key.
    expect(JSON.stringify(acme.downstream)).not.toContain('k-123');
    expect(acme.registry.extensionSchemas('User').map((s) => s.id)).toEqual([
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      'urn:ietf:params:scim:schemas:extension:15Five:2.0:User',
    ]);
    expect(acme.plugin!.connection(acme.downstream!).auth).toEqual({ type: 'header', header: 'Authorization', value: 'k-123' });
  });

  it('a token URL relative to the base URL is resolved below it; one the client would refuse is a listed problem, not a crash', () => {
    const yaml = basePlugin();
    yaml.credentials = { clientId: 'id', clientSecret: 'secret' };
    yaml.connection = { auth: { type: 'token', request: { url: '/auth', json: { client_id: '{clientId}', client_secret: '{clientSecret}' } }, token: 'data.token' } };
    const plugins = writePlugins({ demo: { yaml } });
    const entry = (baseUrl: string) =>
      configFile(
        [
          `pluginsDir: ${plugins}`,
          app(['plugin: demo', 'downstream:', `  baseUrl: "${baseUrl}"`, '  credentials:', '    clientId: { env: ID }', '    clientSecret: { env: SECRET }']),
        ].join('\n'),
      );
    const env = { ID: 'cid', SECRET: 'cs' };
    const config = loadConfig(entry('https://api.example.com/v1'), { dataDir: '/tmp', env });
    const acme = config.apps.get('acme')!;
    expect(acme.plugin!.connection(acme.downstream!).auth).toMatchObject({ type: 'token', request: { url: 'https://api.example.com/v1/auth', json: { client_id: 'cid', client_secret: 'cs' } } });
    // Plain http off loopback: the client would refuse the token URL at start-up; the load lists it instead.
    expect(problemsOf(entry('http://api.example.com/v1'), env)).toEqual([
      expect.stringMatching(/^.*gateway\.yaml: apps\.acme\.downstream: token auth: request\.url must be https \(plain http only on the loopback interface\) \(plugin "demo", .*plugin\.yaml: connection\.auth\)$/),
    ]);
  });

  it('a missing credential variable stops the load, naming the app and the variable', () => {
    expect(problemsOf(configFile(FIFTEEN_FIVE_APP), {})).toEqual([
      expect.stringMatching(/gateway\.yaml: apps\.acme\.downstream\.credentials\.apiKey: environment variable ACME_15FIVE_KEY is not set \(app acme\)$/),
    ]);
  });

  const rows: { name: string; lines: string[]; says: string }[] = [
    { name: 'no plugin', lines: ['downstream: { baseUrl: "https://x.example" }'], says: 'apps.acme.plugin: a rest app needs "plugin"' },
    { name: 'no downstream', lines: ['plugin: 15five'], says: 'apps.acme.downstream: a rest app needs "downstream"' },
    { name: 'an unknown plugin', lines: ['plugin: workday', 'downstream: { baseUrl: "https://x.example" }'], says: 'no plugin "workday"' },
    { name: 'a credential the plugin does not need', lines: ['plugin: 15five', 'downstream:', '  baseUrl: "https://x.example"', '  credentials: { apiKey: { env: K }, password: { env: P } }'], says: 'apps.acme.downstream.credentials.password: plugin "15five" has no credential "password"' },
    { name: 'a credential the plugin needs and is not given', lines: ['plugin: hibob', 'downstream:', '  baseUrl: "https://x.example"', '  credentials: { token: { env: K } }'], says: 'apps.acme.downstream.credentials: plugin "hibob" needs "serviceUser"' },
    { name: 'a literal secret', lines: ['plugin: 15five', 'downstream:', '  baseUrl: "https://x.example"', '  credentials: { apiKey: "k-123" }'], says: 'apps.acme.downstream.credentials.apiKey' },
    { name: 'a base URL that is not http(s)', lines: ['plugin: 15five', 'downstream:', '  baseUrl: { env: U }', '  credentials: { apiKey: { env: K } }'], says: 'apps.acme.downstream.baseUrl: not an http(s) URL' },
    { name: 'the plugin\'s schema listed again', lines: ['plugin: 15five', 'schemas: { User: [urn:ietf:params:scim:schemas:extension:enterprise:2.0:User] }', 'downstream:', '  baseUrl: "https://x.example"', '  credentials: { apiKey: { env: K } }'], says: 'comes with plugin "15five"; remove it here' },
  ];
  it.each(rows)('reports $name', ({ lines, says }) => {
    const problems = problemsOf(configFile(app(lines)), { K: 'k', P: 'p', U: 'ftp://x' });
    expect(problems, problems.join('\n')).toContainEqual(expect.stringContaining(says));
  });

  it('a store app may not have a plugin', () => {
    const file = configFile(['apps:', '  d:', '    connector: store', '    plugin: 15five', '    auth: { secrets: [{ env: T }] }'].join('\n'));
    expect(problemsOf(file, {})).toContainEqual(expect.stringContaining('apps.d.plugin: only rest and scim apps have "plugin"'));
  });

  it('reads plugins from pluginsDir (relative to the file), overridden by SCIM_BRIDGE_PLUGINS_DIR', () => {
    const custom = writePlugins({ demo: { yaml: basePlugin() } });
    const lines = ['plugin: demo', 'downstream:', '  baseUrl: "https://demo.example"', '  credentials: { apiKey: { env: K } }'];
    const viaConfig = configFile(`pluginsDir: ${custom}\n${app(lines)}`);
    expect(loadConfig(viaConfig, { dataDir: '/tmp', env: { K: 'k' } }).apps.get('acme')?.plugin?.name).toBe('demo');
    const viaEnv = configFile(app(lines));
    expect(problemsOf(viaEnv, { K: 'k' })).toContainEqual(expect.stringContaining('no plugin "demo"'));
    expect(loadConfig(viaEnv, { dataDir: '/tmp', env: { K: 'k', SCIM_BRIDGE_PLUGINS_DIR: custom } }).apps.get('acme')?.plugin?.name).toBe('demo');
  });

  it('two apps share one compiled plugin, and a broken plugin is reported once', () => {
    const two = ['apps:', ...['a', 'b'].flatMap((n) => [
      `  ${n}:`, '    connector: rest', '    plugin: demo', '    auth: { secrets: [{ env: T }] }', '    downstream:', `      baseUrl: "https://${n}.example"`, '      credentials: { apiKey: { env: K } }',
    ])].join('\n');
    const good = writePlugins({ demo: { yaml: basePlugin() } });
    const config = loadConfig(configFile(`pluginsDir: ${good}\n${two}`), { dataDir: '/tmp', env: { K: 'k' } });
    expect(config.apps.get('a')!.plugin).toBe(config.apps.get('b')!.plugin);
    const broken = basePlugin();
    (broken.users as Record<string, unknown>).delete = 'native';
    const bad = writePlugins({ demo: { yaml: broken } });
    const problems = problemsOf(configFile(`pluginsDir: ${bad}\n${two}`), { K: 'k' });
    expect(problems.filter((p) => p.includes('"native" needs a "delete" operation'))).toHaveLength(1);
  });
});
