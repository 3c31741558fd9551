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

/** The bundled 15five plugin copied next to a hooks.ts with `source`. */
function fifteenFiveWithHooks(source: string) {
  const root = mkdtempSync(join(tmpdir(), 'scim-bridge-hooks-'));
  dirs.push(root);
  cpSync(join(defaultPluginsDir(), '15five'), join(root, '15five'), { recursive: true });
  writeFileSync(join(root, '15five', 'hooks.ts'), source);
  const { plugin, problems } = loadPlugin(root, '15five');
  expect(problems).toEqual([]);
  return plugin!;
}

describe('plugin hooks', () => {
  it('the list of hook names is fixed', () => {
    expect(HOOK_NAMES).toEqual(['beforeCreate', 'beforeUpdate', 'afterRead']);
  });

  it('a plugin without hooks has none', async () => {
    const { plugin } = loadPlugin(defaultPluginsDir(), '15five');
    expect(plugin!.hooks.file).toBeUndefined();
    expect(await plugin!.hooks.load()).toEqual({});
  });

  it('refuses unknown hook names and non-functions, naming the file', async () => {
    const plugin = fifteenFiveWithHooks('export function beforeCreat() {}\nexport const afterRead = 42;\nexport function beforeUpdate() {}\n');
    const error = await plugin.hooks.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookError);
    const lines = (error as Error).message.split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/15five[/\\]hooks\.ts: unknown hook "beforeCreat" \(hooks are beforeCreate, beforeUpdate, afterRead\)$/),
      expect.stringMatching(/15five[/\\]hooks\.ts: hook "afterRead" must be a function$/),
    ]);
  });

  it('runs beforeCreate and beforeUpdate on the native bodies', async () => {
    const plugin = fifteenFiveWithHooks(
      [
        'export function beforeCreate(body: Record<string, unknown>) { return { ...body, title: String(body.title).toUpperCase() }; }',
        'export function beforeUpdate(body: Record<string, unknown>, ctx: { nativeId: string }) { body.location = `updated ${ctx.nativeId}`; }',
      ].join('\n'),
    );
    const emu = await startEmulator('15five');
    const connector = createRestConnector(plugin, { baseUrl: emu.url, credentials: emu.credentials }, { log: pino({ level: 'silent' }) });
    try {
      const user = { schemas: [USER], userName: 'h@example.com', name: { givenName: 'H', familyName: 'Ook' }, title: 'engineer' };
      const { nativeId } = await connector.create('User', user, new IdMap());
      expect(emu.users()[0]).toMatchObject({ title: 'ENGINEER' });
      await connector.update('User', nativeId!, user, { ...user, title: 'lead' }, new IdMap());
      expect(emu.users()[0]).toMatchObject({ title: 'lead', location: `updated ${nativeId}` });
    } finally {
      await connector.close();
      await emu.close();
    }
  });
});
