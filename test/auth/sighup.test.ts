/**
 * Secret rotation through the real entry point (dist/src/main.js, built by `npm test`): `kill -HUP`
 * re-reads the configuration; the new secret works, the removed one stops, a broken configuration is
 * logged and changes nothing, and the process keeps serving throughout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/src/main.js');
const OLD = 'sighup-old-secret-0123456789abcdef';
const NEW = 'sighup-new-secret-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-sighup-'));
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const config = (secretFiles: string[]) =>
  `apps:\n  hr:\n    connector: store\n    auth:\n      secrets: [${secretFiles.map((f) => `{ file: ${f} }`).join(', ')}]\n`;

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

async function waitFor(output: () => string, text: string, occurrences = 1): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (output().split(text).length - 1 < occurrences) {
    if (Date.now() > deadline) throw new Error(`gateway never logged "${text}":\n${output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('SIGHUP (dist/src/main.js)', () => {
  it('rotates the secret without a restart; a broken configuration is logged and ignored', async () => {
    expect(existsSync(MAIN), 'run `npm run build` first').toBe(true);
    writeFileSync(join(dir, 'old.token'), OLD);
    writeFileSync(join(dir, 'new.token'), NEW);
    const configFile = join(dir, 'gateway.yaml');
    writeFileSync(configFile, config(['old.token']));
    const port = await freePort();
    child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: String(port), SCIM_BRIDGE_DATA_DIR: dir, SCIM_BRIDGE_CONFIG: configFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor(() => out, 'scim-bridge listening');
    const status = async (token: string) =>
      (await fetch(`http://127.0.0.1:${port}/apps/hr/scim/v2/Users`, { headers: { Authorization: `Bearer ${token}` } })).status;

    expect(await status(OLD)).toBe(200);
    expect(await status(NEW)).toBe(401);

    writeFileSync(configFile, config(['old.token', 'new.token']));
    child.kill('SIGHUP');
    await waitFor(() => out, 'credentials reloaded');
    expect(await status(OLD)).toBe(200);
    expect(await status(NEW)).toBe(200);

    writeFileSync(configFile, config(['new.token']));
    child.kill('SIGHUP');
    await waitFor(() => out, 'credentials reloaded', 2);
    expect(await status(OLD)).toBe(401);
    expect(await status(NEW)).toBe(200);

    writeFileSync(configFile, config(['missing.token']));
    child.kill('SIGHUP');
    await waitFor(() => out, 'configuration reload failed');
    expect(await status(NEW)).toBe(200);
    expect(child.exitCode).toBe(null);
    for (const secret of [OLD, NEW]) expect(out).not.toContain(secret);
  });
});
