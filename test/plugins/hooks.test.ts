/** hooks.ts: a fixed list of hook names; the hooks run inside the connector; anything else is refused at load. */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createRestConnector } from '../../src/connectors/rest/index.js';
import { defaultPluginsDir, HookError, HOOK_NAMES, loadPlugin } from '../../src/plugins/index.js';
import { startEmulator } from '../emulators/index.js';
import { IdMap, USER } from '../connectors/rest/support.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The bundled hibob plugin copied next to a hooks.ts with `source`. */
function hibobWithHooks(source: string) {
  const root = mkdtempSync(join(tmpdir(), 'scim-bridge-hooks-'));
  dirs.push(root);
  cpSync(join(defaultPluginsDir(), 'hibob'), join(root, 'hibob'), { recursive: true });
  writeFileSync(join(root, 'hibob', 'hooks.ts'), source);
  const { plugin, problems } = loadPlugin(root, 'hibob');
  expect(problems).toEqual([]);
  return plugin!;
}

describe('plugin hooks', () => {
  it('the list of hook names is fixed', () => {
    expect(HOOK_NAMES).toEqual(['beforeCreate', 'beforeUpdate', 'afterRead']);
  });

  it('a plugin without hooks has none', async () => {
    const { plugin } = loadPlugin(defaultPluginsDir(), 'hibob');
    expect(plugin!.hooks.file).toBeUndefined();
    expect(await plugin!.hooks.load()).toEqual({});
  });

  it('refuses unknown hook names and non-functions, naming the file', async () => {
    const plugin = hibobWithHooks('export function beforeCreat() {}\nexport const afterRead = 42;\nexport function beforeUpdate() {}\n');
    const error = await plugin.hooks.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookError);
    const lines = (error as Error).message.split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/hibob[/\\]hooks\.ts: unknown hook "beforeCreat" \(hooks are beforeCreate, beforeUpdate, afterRead\)$/),
      expect.stringMatching(/hibob[/\\]hooks\.ts: hook "afterRead" must be a function$/),
    ]);
  });

  it('runs beforeCreate and beforeUpdate on the native bodies', async () => {
    const plugin = hibobWithHooks(
      [
        'export function beforeCreate(body: { work: Record<string, unknown> }) { return { ...body, work: { ...body.work, title: String(body.work.title).toUpperCase() } }; }',
        'export function beforeUpdate(body: { work?: Record<string, unknown> }, ctx: { nativeId: string }) { body.work = { ...body.work, site: `updated ${ctx.nativeId}` }; }',
      ].join('\n'),
    );
    const emu = await startEmulator('hibob');
    const connector = createRestConnector(plugin, { baseUrl: emu.url, credentials: emu.credentials }, { log: pino({ level: 'silent' }) });
    try {
      const user = { schemas: [USER], userName: 'h@example.com', name: { givenName: 'H', familyName: 'Ook' }, title: 'engineer' };
      const { nativeId } = await connector.create('User', user, new IdMap());
      expect(emu.users()[0]).toMatchObject({ work: { title: 'ENGINEER' } });
      await connector.update('User', nativeId!, user, { ...user, title: 'lead' }, new IdMap());
      expect(emu.users()[0]).toMatchObject({ work: { title: 'lead', site: `updated ${nativeId}` } });
    } finally {
      await connector.close();
      await emu.close();
    }
  });

  it('a beforeCreate that reshapes the body keeps the search before the create (hooks compose)', async () => {
    // The hook moves every field under "person": the search value still comes from the mapped fields.
    const plugin = hibobWithHooks('export function beforeCreate(body: Record<string, unknown>) { return { person: body }; }');
    const emu = await startEmulator('hibob');
    const seeded = emu.seedUser({ email: 'exists@example.com', firstName: 'Ex', surname: 'Ists' });
    const connector = createRestConnector(plugin, { baseUrl: emu.url, credentials: emu.credentials }, { log: pino({ level: 'silent' }) });
    try {
      const user = { schemas: [USER], userName: 'exists@example.com', name: { givenName: 'Ex', familyName: 'Ists' } };
      const { nativeId } = await connector.create('User', user, new IdMap());
      expect(nativeId).toBe(seeded.id);
      expect(emu.requests().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/people/search']);
      expect(emu.users()).toHaveLength(1);
    } finally {
      await connector.close();
      await emu.close();
    }
  });
});
