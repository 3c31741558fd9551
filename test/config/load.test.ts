/** The configuration is validated once; every problem is reported, naming the file and the path. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSecrets, SecretError } from '../../src/auth/secrets.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { DEFAULT_CONFIG_PATH } from '../support/gateway.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function write(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function problemsOf(file: string, dataDir = '/tmp'): string[] {
  try {
    loadConfig(file, { dataDir });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('loads the default configuration: one app with the enterprise and 15Five extensions', () => {
    const config = loadConfig(DEFAULT_CONFIG_PATH, { dataDir: '/var/lib/scim' });
    const app = config.apps.get('directory')!;
    expect([...config.apps.keys()]).toEqual(['directory']);
    expect(app.registry.schemas().map((s) => s.id)).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:core:2.0:Group',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      'urn:ietf:params:scim:schemas:extension:15Five:2.0:User',
    ]);
    expect(config.store).toEqual({ kind: 'sqlite', path: '/var/lib/scim/scim-bridge.db', busyTimeoutMs: 5000 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every problem at once, each with file and path', () => {
    const dir = write({
      'gateway.yaml': [
        'server:',
        '  bodyLimitBytes: 10',
        '  colour: blue',
        'apps:',
        '  Bad_Name:',
        '    connector: store',
        '    auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN }] }',
        '  good:',
        '    connector: carrier-pigeon',
        '    auth: { secrets: [] }',
      ].join('\n'),
    });
    const problems = problemsOf(join(dir, 'gateway.yaml'));
    expect(problems.length).toBeGreaterThanOrEqual(4);
    expect(problems.every((p) => p.includes('gateway.yaml: '))).toBe(true);
    expect(problems.some((p) => p.includes('server.bodyLimitBytes'))).toBe(true);
    expect(problems.some((p) => p.includes('server') && p.includes('"colour"'))).toBe(true);
    expect(problems.some((p) => p.includes('apps.Bad_Name'))).toBe(true);
    expect(problems.some((p) => p.includes('apps.good.connector'))).toBe(true);
  });

  it('names an unknown extension schema and a schema file that is wrong', () => {
    const dir = write({
      'gateway.yaml': [
        'schemas: [bad-schema.yaml, missing.yaml]',
        'apps:',
        '  hr:',
        '    connector: store',
        '    auth: { secrets: [{ env: X_TOKEN }] }',
        '    schemas: { User: [urn:example:nothing:2.0:User] }',
      ].join('\n'),
      'bad-schema.yaml': 'id: not-a-urn\nname: X\nresourceType: Person\nattributes: []\n',
    });
    const problems = problemsOf(join(dir, 'gateway.yaml'));
    expect(problems.some((p) => p.includes('bad-schema.yaml: id'))).toBe(true);
    expect(problems.some((p) => p.includes('bad-schema.yaml: resourceType'))).toBe(true);
    expect(problems.some((p) => p.includes('missing.yaml: cannot be read'))).toBe(true);
    expect(problems.some((p) => p.includes('apps.hr.schemas.User.0: unknown extension schema urn:example:nothing:2.0:User'))).toBe(true);
  });

  it('refuses an app nobody could call', () => {
    const dir = write({ 'gateway.yaml': 'apps:\n  hr:\n    connector: store\n    auth: { secrets: [] }\n' });
    expect(problemsOf(join(dir, 'gateway.yaml'))).toEqual([expect.stringContaining('apps.hr.auth: no secret sources')]);
  });

  it('reports YAML syntax errors and duplicate keys', () => {
    const dir = write({ 'gateway.yaml': 'apps:\n  hr: [\n', 'dup.yaml': 'apps: {}\napps: {}\n' });
    expect(problemsOf(join(dir, 'gateway.yaml'))[0]).toContain('gateway.yaml');
    expect(problemsOf(join(dir, 'dup.yaml'))[0]).toMatch(/dup\.yaml:2:1: .*unique/i);
  });
});

describe('secrets', () => {
  const app = () => loadConfig(DEFAULT_CONFIG_PATH, { dataDir: '/unused' }).apps.get('directory')!;

  it('takes SCIM_BRIDGE_TOKEN_<APP> before SCIM_BRIDGE_TOKEN', () => {
    const r = resolveSecrets(app(), { SCIM_BRIDGE_TOKEN_DIRECTORY: 'a'.repeat(20), SCIM_BRIDGE_TOKEN: 'b'.repeat(20) }, '/unused');
    expect(r.origins).toEqual(['env SCIM_BRIDGE_TOKEN_DIRECTORY']);
  });

  it('refuses a short secret', () => {
    expect(() => resolveSecrets(app(), { SCIM_BRIDGE_TOKEN: 'short' }, '/unused')).toThrow(SecretError);
  });

  it('generates a secret once when none is set and keeps it across restarts, mode 0600', async () => {
    const dataDir = write({});
    const first = resolveSecrets(app(), {}, dataDir);
    const second = resolveSecrets(app(), {}, dataDir);
    expect(first.digests[0]!.equals(second.digests[0]!)).toBe(true);
    expect(first.origins[0]).toContain('directory.token');
    const { statSync } = await import('node:fs');
    expect(statSync(join(dataDir, 'secrets', 'directory.token')).mode & 0o777).toBe(0o600);
  });
});
