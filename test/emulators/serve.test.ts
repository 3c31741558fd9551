/**
 * The standalone runner as `npm run demo` will start it (dist/test/emulators/serve.js, built by `npm test`):
 * one line with the URL and the credentials' source, credentials from the environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SERVE = join(ROOT, 'dist/test/emulators/serve.js');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts the runner and resolves with its first line of output (or everything it said before exiting). */
function start(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; line: string; code: number | null }> {
  const child = spawn(process.execPath, [SERVE, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((done) => {
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n') && out.includes('listening')) done({ child, line: out.trim(), code: null });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => done({ child, line: out.trim(), code }));
  });
}

describe('serve.js', () => {
  it('is built (npm test builds it first)', () => {
    expect(existsSync(SERVE), 'run `npm run build` first').toBe(true);
  });

  it('serves 15Five with the key from the environment and prints its URL', async () => {
    const { line } = await start(['15five', '--port', '0'], { EMULATOR_15FIVE_API_KEY: 'from-env-key' });
    const match = /^15five emulator listening on (http:\/\/127\.0\.0\.1:\d+\/api\/public) \(credentials: env EMULATOR_15FIVE_API_KEY\)$/.exec(line);
    expect(match, line).not.toBeNull();
    const url = match![1]!;
    expect((await fetch(`${url}/user/`, { headers: { authorization: 'from-env-key' } })).status).toBe(200);
    expect((await fetch(`${url}/user/`, { headers: { authorization: 'emulator-15five-key' } })).status).toBe(401);
  });

  it('falls back to the documented default credentials', async () => {
    const { line } = await start(['hibob']);
    expect(line).toMatch(/credentials: defaults/);
    const url = /listening on (\S+)/.exec(line)![1]!;
    const auth = `Basic ${Buffer.from('SERVICE-EMULATOR:emulator-hibob-token').toString('base64')}`;
    const res = await fetch(`${url}/v1/people/search`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '{}' });
    expect(await res.json()).toEqual({ employees: [] });
  });

  it.each([[['nope']], [[]], [['bamboohr', '--faults', '{"failRate":3}']], [['bamboohr', '--port', 'x']]])(
    'refuses %j with exit code 2',
    async (args) => {
      const { code, line } = await start(args);
      expect(code).toBe(2);
      expect(line).toMatch(/usage: serve\.js/);
    },
  );
});
