/**
 * The real entry point as `npm start` runs it (dist/src/main.js, built by `npm test`), with the environment
 * contract: PORT, SCIM_BRIDGE_DATA_DIR, SCIM_BRIDGE_CONFIG, SCIM_BRIDGE_TOKEN. Data survives kill -9.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { read, USER_SCHEMA } from '../support/gateway.js';
import { exited, freePort, MAIN, ROOT, startMain as startProcess } from '../support/processes.js';

const dataDir = mkdtempSync(join(tmpdir(), 'scim-bridge-process-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function startMain(env: Record<string, string>) {
  const started = await startProcess({ SCIM_BRIDGE_DATA_DIR: dataDir, ...env });
  children.push(started.child);
  return started;
}

describe('npm start (dist/src/main.js)', () => {
  it('is built (npm test builds it first)', () => {
    expect(existsSync(MAIN), 'run `npm run build` first').toBe(true);
  });

  it('without any token it generates one in the data dir and logs only its path', async () => {
    const { child, port, output } = await startMain({});
    const tokenFile = join(dataDir, 'secrets', 'directory.token');
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(output()).toContain('directory.token');
    expect(output()).not.toContain(token);
    const res = await fetch(`http://127.0.0.1:${port}/apps/directory/scim/v2/Users`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('keeps what it acknowledged through kill -9 and a restart', async () => {
    const token = 'process-test-token-0123456789';
    const first = await startMain({ SCIM_BRIDGE_TOKEN: token });
    const base = `http://127.0.0.1:${first.port}/apps/directory/scim/v2`;
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' };
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const res = await read(await fetch(`${base}/Users`, { method: 'POST', headers, body: JSON.stringify({ schemas: [USER_SCHEMA], userName: `durable${i}@example.com` }) }));
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = await startMain({ SCIM_BRIDGE_TOKEN: token });
    const base2 = `http://127.0.0.1:${second.port}/apps/directory/scim/v2`;
    const list = await read(await fetch(`${base2}/Users?filter=${encodeURIComponent('userName sw "durable"')}&count=100`, { headers }));
    expect(list.body.totalResults).toBe(20);
    expect(new Set(list.body.Resources.map((r: { id: string }) => r.id))).toEqual(new Set(ids));
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  });

  it('a broken configuration stops start-up with every problem listed and exit code 1', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: String(port), SCIM_BRIDGE_CONFIG: join(ROOT, 'package.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    expect(await exited(child)).toBe(1);
    expect(err).toMatch(/scim-bridge: invalid configuration:/);
    expect(err).toMatch(/package\.json: .*"name"/);
  });
});
