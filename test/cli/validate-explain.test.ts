/** `scim-bridge validate` and `scim-bridge explain` as operators run them (dist/src/cli.js, built by `npm test`). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { basePlugin, edit, removePluginDirs, writePlugins } from '../plugins/fixtures.js';
import { DEMO_DOWNSTREAM_STAND_INS } from '../e2e/support.js';

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

const TOKEN = 'validate-test-token-0123456789';
const DEMO = join(ROOT, 'config/demo.yaml');
const DEMO_DOWNSTREAM = DEMO_DOWNSTREAM_STAND_INS;

describe('scim-bridge validate', () => {
  it('checks the configuration and every bundled plugin', () => {
    const { code, out } = cli(['validate', '--config', config(CONFIG)], { ACME_KEY: 'k', SCIM_BRIDGE_TOKEN: TOKEN });
    expect(code).toBe(0);
    expect(out).toContain('app acme: connector rest, plugin 15five at https://my.15five.com/api/public');
    for (const name of ['15five', 'bamboohr', 'hibob', 'personio']) expect(out).toContain(`plugin ${name}: OK`);
  });

  it('exits 1 naming the app and the unset variable, and every other thing start-up would refuse', () => {
    const { code, err } = cli(['validate', '--config', config(CONFIG)], { SCIM_BRIDGE_LOG_LEVEL: 'chatty' });
    expect(code).toBe(1);
    expect(err).toContain('apps.acme.downstream.credentials.apiKey: environment variable ACME_KEY is not set (app acme)');
    expect(err).toContain('app acme: no secret is set (tried SCIM_BRIDGE_TOKEN)');
    expect(err).toContain('SCIM_BRIDGE_LOG_LEVEL: "chatty" is not a log level');
  });

  it('the demo configuration with its downstream variables but no SCIM token is not OK: start-up would fail', () => {
    const { code, err } = cli(['validate', '--config', DEMO], DEMO_DOWNSTREAM);
    expect(code).toBe(1);
    for (const app of ['15five', 'bamboohr', 'hibob', 'personio']) {
      expect(err).toContain(`app ${app}: no secret is set (tried SCIM_BRIDGE_TOKEN_${app.toUpperCase()}, SCIM_BRIDGE_TOKEN)`);
    }
    expect(cli(['validate', '--config', DEMO], { ...DEMO_DOWNSTREAM, SCIM_BRIDGE_TOKEN: 'short' }).err).toContain('shorter than 16 characters');
    expect(cli(['validate', '--config', DEMO], { ...DEMO_DOWNSTREAM, SCIM_BRIDGE_TOKEN: TOKEN }).code).toBe(0);
  });

  it('--offline checks the configuration and every plugin without any credential, and says what start-up needs', () => {
    const { code, out, err } = cli(['validate', '--offline', '--config', DEMO], {});
    expect([code, err]).toEqual([0, '']);
    expect(out).toMatch(/^config\/demo\.yaml: OK offline \(credentials not checked\)\n/);
    expect(out).toContain('app bamboohr: connector rest, plugin bamboohr at https://unset-bamboohr-base-url.invalid');
    expect(out).toContain('start-up also needs: FIFTEEN_FIVE_API_KEY, BAMBOOHR_BASE_URL, BAMBOOHR_API_KEY, HIBOB_SERVICE_USER, HIBOB_TOKEN, PERSONIO_CLIENT_ID, PERSONIO_CLIENT_SECRET');
    expect(out).toContain('app 15five: one of SCIM_BRIDGE_TOKEN_15FIVE, SCIM_BRIDGE_TOKEN');
    // Mistakes that are not about credentials are still found.
    const broken = cli(['validate', '--offline', '--config', config(CONFIG.replace('plugin: 15five', 'plugin: 15fiv'))], {});
    expect(broken.code).toBe(1);
    expect(broken.err).toContain('did you mean "15five"?');
  });

  it('the default configuration generates a missing secret at start: validate says so and writes nothing', () => {
    const dataDir = join(dir, 'data-generate');
    const { code, out } = cli(['validate'], { SCIM_BRIDGE_DATA_DIR: dataDir });
    expect(code).toBe(0);
    expect(out).toContain(`app directory: no secret is set; start-up will generate one in ${join(dataDir, 'secrets', 'directory.token')}`);
    expect(existsSync(dataDir)).toBe(false);
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
    expect(out).toContain('2. POST https://unset-acme-url.invalid/user/bulk/    [users.create]');
    expect(out).toContain('"first_name": "Ada"');
  });

  it('needs no credentials for any auth scheme: HTTP Basic (bamboohr) too', () => {
    const { code, out } = cli(['explain', '--app', 'bamboohr', '--config', join(ROOT, 'config/demo.yaml')], {}, JSON.stringify({ method: 'GET', path: '/Users?filter=userName+eq+%22x%40y.z%22' }));
    expect(code).toBe(0);
    expect(out).toContain('1. GET https://unset-bamboohr-base-url.invalid/employees/directory    [users.search]');
  });

  it('--native-sample: the search answers the sample, the match and the adoption run on it, the read-back and the 2xx rules show', () => {
    const personio = [
      'apps:',
      '  people:',
      '    connector: rest',
      '    plugin: personio',
      '    auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN }] }',
      '    downstream:',
      '      baseUrl: "https://api.personio.de/v1"',
      '      credentials: { clientId: { env: P_ID }, clientSecret: { env: P_SECRET } }',
    ].join('\n');
    const wrapped = (id: number, email: string, position: string) => ({
      type: 'Employee',
      attributes: {
        id: { label: 'ID', value: id, type: 'integer', universal_id: 'id' },
        email: { label: 'Email', value: email, type: 'standard', universal_id: 'email' },
        first_name: { label: 'First name', value: 'Ada', type: 'standard', universal_id: 'first_name' },
        last_name: { label: 'Last name', value: 'L', type: 'standard', universal_id: 'last_name' },
        position: { label: 'Position', value: position, type: 'standard', universal_id: 'position' },
        status: { label: 'Status', value: 'leave', type: 'standard', universal_id: 'status' },
      },
    });
    const sample = join(dir, 'sample.json');
    writeFileSync(sample, JSON.stringify({ success: true, data: [wrapped(17, 'ADA@example.com', 'Engineer')] }));
    const body = { ...JSON.parse(request).body, title: 'Lead' };
    const { code, out } = cli(['explain', '--app', 'people', '--config', config(personio), '--native-sample', sample], {}, JSON.stringify({ method: 'POST', path: '/Users', body }));
    expect(code).toBe(0);
    expect(out).toContain('1. GET https://api.personio.de/v1/company/employees?email=ada%40example.com    [users.search]');
    expect(out).toContain('   → adopt: 1 record(s) returned before a create; native id 17 matched on "email"');
    // Adopted: only what differs is sent (the status "leave" already means active).
    expect(out).toContain('2. PATCH https://api.personio.de/v1/company/employees/17    [users.update]');
    expect(out).toContain('"position": "Lead"');
    expect(out).not.toContain('"status"');
    expect(out).toContain('   → if a 200 answer has "meta" not empty: 400 invalidValue "Personio ignored part of the write');
    expect(out).toContain('3. GET https://api.personio.de/v1/company/employees/17    [users.read]');
    expect(out).toContain('   → verify: read back with users.read and compare position');
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ success: true, data: [wrapped(18, 'grace@example.com', 'Engineer')] }));
    const none = cli(['explain', '--app', 'people', '--config', config(personio), '--native-sample', other], {}, JSON.stringify({ method: 'POST', path: '/Users', body }));
    expect(none.out).toContain('   → no adoption: 1 record(s) returned before a create; none matched: 1 had another value in "email"');
    expect(none.out).toContain('2. POST https://api.personio.de/v1/company/employees    [users.create]');
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
