/** Plugins written to a temp directory for load tests: a small valid plugin and ways to break it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';

/** A minimal valid plugin (users only, gateway-only groups) with one extension schema file. */
export function basePlugin(): Record<string, unknown> {
  return {
    name: 'demo',
    credentials: { apiKey: 'the key' },
    connection: { auth: { type: 'header', header: 'X-Api-Key', value: '{apiKey}' } },
    schemas: [
      { urn: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', alias: 'enterprise' },
      { urn: 'urn:example:params:scim:schemas:extension:demo:2.0:User', alias: 'demo', file: 'schemas/demo.yaml' },
    ],
    tables: { countries: { DE: 'Germany', FR: 'France' } },
    users: {
      operations: {
        create: { method: 'POST', path: '/people', id: { body: 'id' } },
        read: { method: 'GET', path: '/people/{id}' },
        update: { method: 'PATCH', path: '/people/{id}' },
        search: { method: 'GET', path: '/people', query: { email: '{value}' }, results: 'items', match: 'email', by: ['userName'] },
      },
      active: { mode: 'flag', field: 'enabled', active: true, inactive: false },
      delete: 'deactivate',
      toNative: {
        email: 'userName',
        given: 'name.givenName',
        country: { from: 'demo.country', rule: { lookup: [{ var: 'value' }, 'countries'] } },
        start: { from: 'demo.startDate', rule: { format_date: [{ var: 'value' }, 'DD.MM.YYYY'] } },
        boss: { from: 'enterprise.manager.value', reference: 'User' },
      },
      toScim: { userName: 'email', 'name.givenName': 'given' },
    },
    groups: 'gateway-only',
  };
}

/** Sets (or, with undefined, deletes) the value at a dotted path, creating objects on the way. */
export function edit(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return target;
}

export const DEMO_SCHEMA = {
  id: 'urn:example:params:scim:schemas:extension:demo:2.0:User',
  name: 'DemoUser',
  resourceType: 'User',
  attributes: [
    { name: 'country', type: 'string' },
    { name: 'startDate', type: 'string' },
  ],
};

const dirs: string[] = [];

/** Writes plugins (name → plugin.yaml content, plus extra files) into a fresh plugins directory. */
export function writePlugins(plugins: Record<string, { yaml: unknown; files?: Record<string, string> }>): string {
  const root = mkdtempSync(join(tmpdir(), 'scim-bridge-plugins-'));
  dirs.push(root);
  for (const [name, { yaml, files }] of Object.entries(plugins)) {
    const dir = join(root, name);
    mkdirSync(join(dir, 'schemas'), { recursive: true });
    writeFileSync(join(dir, 'plugin.yaml'), typeof yaml === 'string' ? yaml : stringify(yaml));
    writeFileSync(join(dir, 'schemas', 'demo.yaml'), stringify(DEMO_SCHEMA));
    for (const [file, text] of Object.entries(files ?? {})) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
  }
  return root;
}

export function removePluginDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
