/** `scim-bridge validate` and `scim-bridge explain` as operators run them (dist/src/cli.js, built by `npm test`). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { basePlugin, edit, removePluginDirs, writePlugins } from '../plugins/fixtures.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/src/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-cli-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  removePluginDirs();
});

const CONFIG = [
  'apps:',
  '  acme:',
  '    connector: rest',
  '    plugin: 15five',
  '    auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN }] }',
  '    downstream:',
  '      baseUrl: { env: ACME_URL, default: "https://my.15five.com/api/public" }',
  '      credentials: { apiKey: { env: ACME_KEY } }',
].join('\n');

function cli(args: string[], env: Record<string, string>, input?: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    input: input ?? '',
    encoding: 'utf8',
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

function config(text: string): string {
  const file = join(dir, `gateway-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe('scim-bridge validate', () => {
  it('checks the configuration and every bundled plugin', () => {
    const { code, out } = cli(['validate', '--config', config(CONFIG)], { ACME_KEY: 'k' });
    expect(code).toBe(0);
    expect(out).toContain('app acme: connector rest, plugin 15five at https://my.15five.com/api/public');
    for (const name of ['15five', 'bamboohr', 'hibob']) expect(out).toContain(`plugin ${name}: OK`);
  });

  it('exits 1 naming the app and the unset variable', () => {
    const { code, err } = cli(['validate', '--config', config(CONFIG)], {});
    expect(code).toBe(1);
    expect(err).toContain('apps.acme.downstream.credentials.apiKey: environment variable ACME_KEY is not set (app acme)');
  });

  it('exits 1 for a broken plugin no app uses yet, naming its file and the path in it', () => {
    const broken = edit(basePlugin(), 'users.operations.read.path', '/people/{personId}');
    const plugins = writePlugins({ demo: { yaml: broken }, ok: { yaml: { ...basePlugin(), name: 'ok' } } });
    const { code, err } = cli(['validate', '--config', config(['apps:', '  d:', '    connector: store', '    auth: { secrets: [{ env: T }] }'].join('\n'))], {
      SCIM_BRIDGE_PLUGINS_DIR: plugins,
    });
    expect(code).toBe(1);
    expect(err).toMatch(/demo[/\\]plugin\.yaml: users\.operations\.read\.path: unknown parameter \{personId\}/);
    expect(err).not.toContain('ok/plugin.yaml');
  });
});

describe('scim-bridge explain', () => {
  const request = JSON.stringify({
    method: 'POST',
    path: '/Users',
    body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ada@example.com', name: { givenName: 'Ada', familyName: 'L' } },
  });

  it('prints the native calls without secrets set, an unset base URL shown as such', () => {
    const { code, out } = cli(['explain', '--app', 'acme', '--config', config(CONFIG.replace(', default: "https://my.15five.com/api/public"', ''))], {}, request);
    expect(code).toBe(0);
    expect(out).toContain('app acme (plugin 15five): POST /Users → 2 native call(s), none made');
    expect(out).toContain('1. GET https://unset-acme-url.invalid/user/?email=ada%40example.com    [users.search]');
    expect(out).toContain('2. POST https://unset-acme-url.invalid/user/    [users.create]');
    expect(out).toContain('"first_name": "Ada"');
  });

  it('says when the gateway would refuse the request, and refuses bad input', () => {
    const refused = cli(['explain', '--app', 'acme', '--config', config(CONFIG)], {}, JSON.stringify({ method: 'POST', path: '/Users', body: { userName: 'x', shoeSize: 1 } }));
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('the gateway would refuse this request: 400 invalidSyntax');
    expect(cli(['explain', '--app', 'acme', '--config', config(CONFIG)], {}, 'not json').code).toBe(2);
    expect(cli(['explain', '--config', config(CONFIG)], {}, request).code).toBe(2);
    expect(cli(['explain', '--app', 'nope', '--config', config(CONFIG)], {}, request).err).toContain('no app "nope"');
  });
});
