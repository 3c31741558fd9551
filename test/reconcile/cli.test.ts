/**
 * The real command (dist/src/cli.js, built by `npm test`) beside a running gateway on the same store
 * (its SQLite file; its PostgreSQL schema): killed (SIGKILL) after its first page, run again, it resumes from its checkpoint — page one is not
 * listed again — and its final report is complete: every user once.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, ROOT } from '../support/processes.js';
import { startReconcileRig, type ReconcileRig, type StoreKind } from './support.js';

const CLI = join(ROOT, 'dist/src/cli.js');

interface Line {
  type: 'progress' | 'entry' | 'summary';
  [key: string]: unknown;
}

function runCli(rig: ReconcileRig, args: string[], options: { killAfterFirstProgress?: boolean } = {}) {
  const child = spawn(process.execPath, [CLI, 'reconcile', '--app', '15five', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...rig.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
    if (options.killAfterFirstProgress && out.includes('"type":"progress"')) child.kill('SIGKILL');
  });
  return exited(child).then((code) => ({
    code,
    signal: child.signalCode,
    err,
    lines: out
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Line),
  }));
}

describe.each<StoreKind>(['sqlite', 'postgres'])('scim-bridge reconcile (the real CLI process, %s)', (kind) => {
  let rig: ReconcileRig;
  const NATIVE_ONLY = 230;

  beforeAll(async () => {
    // Every native call takes a while, so the kill lands while the second page is on its way.
    rig = await startReconcileRig(kind);
    for (const name of ['ada', 'bob']) await rig.provision(name);
    for (let i = 0; i < NATIVE_ONLY; i += 1) rig.emu.seedUser({ email: `n${i}@acme.example`, first_name: `N${i}`, last_name: 'Native' });
    rig.emu.setFaults({ latencyMs: 150 });
  });
  afterAll(() => rig?.close());

  it('killed after its first page, run again: resumes there, and the report has every user once', async () => {
    const first = await runCli(rig, ['--dry-run'], { killAfterFirstProgress: true });
    expect(first.signal).toBe('SIGKILL');
    const checkpoint = JSON.parse(readFileSync(join(rig.env.SCIM_BRIDGE_DATA_DIR!, 'reconcile', '15five.json'), 'utf8'));
    expect(checkpoint).toMatchObject({ phase: 'native', status: { state: 'running', progress: { seen: 100, total: 232 } } });
    expect(checkpoint.cursor).toContain('page=2');

    const listedBefore = rig.emu.requests().filter((r) => r.path === '/api/public/user/').length;
    const second = await runCli(rig, ['--dry-run']);
    expect(second.code, second.err).toBe(0);
    // Resumed: its first progress is after page two, and page one was not asked for again.
    const progress = second.lines.filter((l) => l.type === 'progress');
    expect(progress[0]).toMatchObject({ seen: 200, total: 232 });
    const listedAfter = rig.emu.requests().filter((r) => r.path === '/api/public/user/').slice(listedBefore);
    expect(listedAfter.map((r) => r.query.page)).toEqual(['2', '3']);

    const entries = second.lines.filter((l) => l.type === 'entry');
    expect(entries).toHaveLength(232);
    expect(new Set(entries.map((e) => e.nativeId)).size).toBe(232);
    expect(entries.filter((e) => e.kind === 'equal').map((e) => e.userName).sort()).toEqual(['ada@acme.example', 'bob@acme.example']);
    expect(entries.filter((e) => e.kind === 'native-only' && e.adoptable === true)).toHaveLength(NATIVE_ONLY);
    expect(second.lines.at(-1)).toMatchObject({ type: 'summary', state: 'done', progress: { seen: 232, total: 232 }, counts: { equal: 2, differs: 0, nativeOnly: NATIVE_ONLY, gatewayOnly: 0 } });
    // No secret in what it printed or logged.
    expect(second.err + JSON.stringify(second.lines)).not.toContain(rig.emu.credentials.apiKey);
    expect(existsSync(join(rig.env.SCIM_BRIDGE_DATA_DIR!, 'reconcile', '15five.lock'))).toBe(false);
  });

  it('a finished run is not resumed: the next one starts over; usage mistakes exit 2', async () => {
    const again = await runCli(rig, []);
    expect(again.code).toBe(0);
    expect(again.lines.find((l) => l.type === 'progress')).toMatchObject({ seen: 100 });
    const both = await runCli(rig, ['--adopt', '--repair']);
    expect(both.code).toBe(2);
    expect(both.err).toContain('give one of --dry-run, --adopt, --repair');
  });
});
