/**
 * The README's commands, run as written: its shell blocks are read from README.md and run with bash
 * against what the README starts them against — `npm start`'s entry point (dist/src/main.js) for "Try it",
 * `npm run demo`'s launcher (dist/test/emulators/demo.js: the emulators and the gateway) for the demo,
 * the CLI for the offline checks. The only change made to the text is the ports: free ones instead of
 * 8080 and 4015–4018 (the 15five-scim emulator on 4019 is left out: the walkthrough does not use it), so that the test runs beside anything else on the machine.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) await stop(child);
});
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The text of the section whose heading starts with `title`, up to the next heading of its level or above. */
function section(title: string): string {
  const lines = README.split('\n');
  // A heading is a `#` line outside fenced code (shell comments start with `#` too).
  let fenced = false;
  const level = lines.map((l) => {
    if (l.startsWith('```')) fenced = !fenced;
    return !fenced && /^#+ /.test(l) ? /^#+/.exec(l)![0].length : 0;
  });
  const start = lines.findIndex((l, i) => level[i]! > 0 && l.replace(/^#+ /, '').startsWith(title));
  if (start < 0) throw new Error(`README has no section "${title}"`);
  const end = level.findIndex((n, i) => i > start && n > 0 && n <= level[start]!);
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** The shell blocks of a section, in order. */
function shellBlocks(title: string): string[] {
  return [...section(title).matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((done) => {
      const s = createServer().listen(0, '127.0.0.1', () => done(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  return ports;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-readme-'));
  dirs.push(dir);
  return dir;
}

/** Starts a node process (in its own process group, so the demo's children stop with it) and waits for `ready`. */
async function startNode(script: string, env: NodeJS.ProcessEnv, cwd: string, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [script], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + 20_000;
  while (!out.includes(ready)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${script} did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((done) => child.once('exit', done));
  process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv = {}) {
  // stdin from /dev/null: on a socket, bash would read ~/.bashrc (its rshd rule).
  const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** The outputs a block shows in comments: a `# {` line and its `#   ` continuations, joined. */
function shownOutputs(block: string): string[] {
  const samples: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('# {')) samples.push(line.slice(2));
    else if (line.startsWith('#   ') && samples.length > 0) samples[samples.length - 1] += line.slice(4);
  }
  return samples;
}

describe('README "Try it": the directory app walkthrough', () => {
  it('runs as written against npm start', async () => {
    const [block, ...more] = shellBlocks('Try it');
    expect(more).toEqual([]);
    const [port] = await freePorts(1);
    const cwd = tempDir();
    // `npm start` with no token set: the secret is generated in ./data, where the walkthrough reads it.
    await startNode(join(ROOT, 'dist/src/main.js'), { PORT: String(port), SCIM_BRIDGE_CONFIG: join(ROOT, 'config/gateway.yaml') }, cwd, 'scim-bridge listening');
    const { code, out, err } = bash(block!.replaceAll('localhost:8080', `localhost:${port}`), cwd);
    expect([code, err]).toEqual([0, '']);
    expect(out).not.toContain(SCIM_ERROR);
    expect(out).toContain('"userName":"ada@example.com"');
    expect(out).toContain('"totalResults":1');
    expect(out).toContain('"value":"ada.lovelace@example.com"');
    expect(out).toContain('"active":false');
    expect(out).toContain('"display":"Engineering"');
    // The member PATCH, then the two DELETEs, print their status.
    const lines = out.trimEnd().split('\n');
    expect(lines.filter((l) => l === '204')).toHaveLength(3);
    expect(lines.slice(-2)).toEqual(['204', '204']);
  });
});

describe('README demo: the 15Five, BambooHR and HiBob emulators', () => {
  it('the walkthrough runs as written against npm run demo, for every app', async () => {
    const [start, walkthrough] = shellBlocks('The demo');
    // `SCIM_BRIDGE_TOKEN=… npm run demo`: the launcher npm run demo runs once built, with that token.
    const token = /^SCIM_BRIDGE_TOKEN=(\S+) npm run demo$/m.exec(start!)?.[1];
    expect(token).toBeDefined();
    const [port, p15, pBamboo, pBob, pPersonio] = await freePorts(5);
    await startNode(
      join(ROOT, 'dist/test/emulators/demo.js'),
      { SCIM_BRIDGE_TOKEN: token, PORT: String(port), DEMO_PORTS: `${p15},${pBamboo},${pBob},${pPersonio}`, SCIM_BRIDGE_DATA_DIR: join(tempDir(), 'demo') },
      ROOT,
      'scim-bridge listening',
    );
    const script = walkthrough!
      .replaceAll('localhost:8080', `localhost:${port}`)
      .replaceAll('127.0.0.1:4015', `127.0.0.1:${p15}`)
      .replaceAll('127.0.0.1:4016', `127.0.0.1:${pBamboo}`)
      .replaceAll('127.0.0.1:4017', `127.0.0.1:${pBob}`)
      .replaceAll('127.0.0.1:4018', `127.0.0.1:${pPersonio}`);
    const { code, out, err } = bash(script, ROOT);
    expect([code, err]).toEqual([0, '']);
    expect(out).not.toContain(SCIM_ERROR);
    // Every app: the SCIM answer, then the native record the plugin made of it.
    for (const app of ['15five', 'bamboohr', 'hibob']) expect(out).toContain(`/apps/${app}/scim/v2/Users/`);
    // The sample outputs in the README's comments are true: every piece between its "..." is in the output.
    const samples = shownOutputs(walkthrough!);
    expect(samples).toHaveLength(3);
    for (const sample of samples) {
      for (const piece of sample.split('...')) {
        const text = piece.replace(/^,+|,+$/g, '');
        if (text.length > 2) expect(out).toContain(text);
      }
    }
  });

  it('the offline checks run as written without any credential', () => {
    const [, , offline] = shellBlocks('The demo');
    const { code, out, err } = bash(offline!, ROOT);
    expect([code, err]).toEqual([0, '']);
    expect(out).toContain('config/demo.yaml: OK offline (credentials not checked)');
    for (const line of offline!.split('\n').filter((l) => /^# \d+\. /.test(l))) {
      // Each numbered comment is the start of a line explain prints.
      expect(out).toContain(line.slice(2).split('   {')[0]!.trimEnd());
    }
  });
});

describe('README "With a Secret Token": the stored hash', () => {
  it('hash-secret runs as written', () => {
    const block = shellBlocks('With a Secret Token').find((b) => b.includes('hash-secret'));
    const { code, out, err } = bash(block!, ROOT, { SECRET: 'a-long-random-secret-0123456789' });
    expect([code, err]).toEqual([0, '']);
    expect(out).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+\n$/);
  });
});
