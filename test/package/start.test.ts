/**
 * `npm start` on a built tree starts at once: its prestart build is incremental (tsc's build mode), so an
 * up-to-date dist/ is left alone and only a stale one is compiled. And `npm ci` shows install scripts —
 * better-sqlite3's native build — as they run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, ROOT } from '../support/processes.js';

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const dataDir = mkdtempSync(join(tmpdir(), 'scim-bridge-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** What the prestart build would do now, without doing it. */
function dryBuild(): string {
  const build = scripts.build!;
  expect(build).toMatch(/^tsc -b tsconfig\.build\.json$/);
  return spawnSync(process.execPath, [TSC, '-b', 'tsconfig.build.json', '--dry', '--verbose'], { cwd: ROOT, encoding: 'utf8' }).stdout;
}

describe('npm start', () => {
  it('builds before starting only when an input of the build is newer than dist/', () => {
    expect(scripts.prestart).toBe('npm run build');
    expect(dryBuild()).toContain("Project 'tsconfig.build.json' is up to date");
    const source = join(ROOT, 'src/main.ts');
    const { atime, mtime } = statSync(source);
    try {
      utimesSync(source, atime, new Date(Date.now() + 60_000));
      expect(dryBuild()).toContain("Project 'tsconfig.build.json' is out of date");
    } finally {
      utimesSync(source, atime, mtime);
    }
    expect(dryBuild()).toContain('is up to date');
  });

  it('on a built tree starts without compiling anything', async () => {
    const port = await freePort();
    const output = join(ROOT, 'dist/src/main.js');
    const before = statSync(output).mtimeMs;
    const started = Date.now();
    const child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dataDir, PORT: String(port), SCIM_BRIDGE_TOKEN: 'start-test-token-0123456789', SCIM_BRIDGE_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    try {
      while (!out.includes('scim-bridge listening')) {
        if (child.exitCode !== null || Date.now() - started > 60_000) throw new Error(`npm start did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      const exited = new Promise((done) => child.once('exit', done));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
    expect(statSync(output).mtimeMs).toBe(before);
    // Compiling took 22-34 s on the development machine; checking that nothing needs it takes a second or two.
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 90_000);
});

describe('npm ci', () => {
  it('shows install scripts as they run (better-sqlite3 compiling when no prebuilt binary can be fetched)', () => {
    const npmrc = readFileSync(join(ROOT, '.npmrc'), 'utf8');
    expect(npmrc).toMatch(/^foreground-scripts=true$/m);
  });
});
